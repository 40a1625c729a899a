import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { type ApiFixture, apiFixture, errorOf, TEST_KEY } from "./api_fixture.ts";
import { readFrames, type SseFrame } from "./sse_frames.ts";

const seqs = (frames: SseFrame[]) => frames.filter((f) => f.event === undefined).map((f) => Number(f.id));

describe("job events as Server-Sent Events", () => {
  let api: ApiFixture;
  let jobId: string;
  const open = (headers: Record<string, string> = {}, query = "") =>
    api.call(`/v1/jobs/${jobId}/events${query}`, { headers: { accept: "text/event-stream", ...headers } });

  beforeEach(async () => {
    api = apiFixture();
    jobId = (await api.store.create({ repo: "acme/tasks", issue: 1 })).id;
    await api.store.claimNext();
  });
  afterEach(() => api.store.close());

  test("every event carries id: <seq> and its JSON; the stream ends with `end` once the job is final", async () => {
    await api.store.appendEvent(jobId, jobEvents.step("one"));
    await api.store.appendEvent(
      jobId,
      workItemEvents(1).tool({ turn: 2, tool: "bash", summary: "bash: pytest" }),
    );
    await api.store.finish(jobId, { status: "succeeded", pullRequests: [] });
    const response = await open();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const { frames, ended } = await readFrames(response.body!, () => false);
    expect(ended).toBe(true);
    expect(frames.map((f) => [f.id, f.event])).toEqual([["1", undefined], ["2", undefined], ["2", "end"]]);
    expect(JSON.parse(frames[1]!.data!)).toMatchObject({
      seq: 2,
      jobId,
      kind: "tool",
      message: "#1: bash: pytest",
      data: { issue: 1, turn: 2, tool: "bash", summary: "bash: pytest" },
    });
    expect(JSON.parse(frames[2]!.data!)).toEqual({ status: "succeeded" });
  });

  test("new events stream as they are appended, woken by the store's change notice, not by a timer", async () => {
    // With the timers frozen, a stream that polled or waited out its heartbeat would never see the events.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    try {
      const response = await open();
      const reading = readFrames(response.body!, () => false);
      for (let i = 1; i <= 5; i++) {
        await new Promise((r) => setImmediate(r));
        await api.store.appendEvent(jobId, jobEvents.step(`step ${i}`));
      }
      await api.store.finish(jobId, { status: "failed", reason: "tests_failed", pullRequests: [] });
      const { frames } = await reading;
      expect(vi.getTimerCount()).toBe(0);
      expect(seqs(frames)).toEqual([1, 2, 3, 4, 5]);
      expect(frames.at(-1)).toMatchObject({
        event: "end",
        data: JSON.stringify({ status: "failed", reason: "tests_failed" }),
      });
    } finally {
      vi.useRealTimers();
    }
  });

  test("a client that drops and reconnects with Last-Event-ID gets the rest with no gap and no repeat", async () => {
    for (let i = 1; i <= 3; i++) await api.store.appendEvent(jobId, jobEvents.step(`before ${i}`));
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.app.fetch);
    const url = `http://127.0.0.1:${server.addr.port}/v1/jobs/${jobId}/events`;
    const headers = { accept: "text/event-stream", authorization: `Bearer ${TEST_KEY}` };
    try {
      const first = await fetch(url, { headers });
      const seen = await readFrames(first.body!, (frames) => frames.length >= 2);
      // One read may bring more than two; the client resumes after the last one it saw.
      expect(seqs(seen.frames).slice(0, 2)).toEqual([1, 2]);
      // The connection is gone; the job goes on.
      for (let i = 4; i <= 6; i++) {
        await api.store.appendEvent(jobId, jobEvents.step(`after ${i}`));
      }
      const lastId = seen.frames.at(-1)!.id!;
      const second = await fetch(url, { headers: { ...headers, "last-event-id": lastId } });
      const rest = readFrames(second.body!, () => false);
      await new Promise((r) => setTimeout(r, 50));
      await api.store.appendEvent(jobId, jobEvents.step("last"));
      await api.store.finish(jobId, { status: "succeeded", pullRequests: [] });
      const { frames } = await rest;
      const all = [...seqs(seen.frames), ...seqs(frames)];
      expect(all).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(frames.at(-1)?.event).toBe("end");
    } finally {
      await server.shutdown();
    }
  });

  test("a stopping service closes open streams of unfinished jobs, so the server can shut down", async () => {
    const stopping = new AbortController();
    const stoppable = apiFixture({ stopping: stopping.signal });
    const queued = await stoppable.store.create({ repo: "acme/tasks", issue: 2 });
    await stoppable.store.appendEvent(queued.id, jobEvents.step("waiting"));
    const response = await stoppable.call(`/v1/jobs/${queued.id}/events`, {
      headers: { accept: "text/event-stream" },
    });
    const reading = readFrames(response.body!, () => false);
    await new Promise((r) => setTimeout(r, 50));
    stopping.abort();
    const { frames, ended } = await reading;
    expect(ended).toBe(true);
    expect(frames.map((f) => [f.id, f.event])).toEqual([["1", undefined]]);
    stoppable.store.close();
  });

  test("?after= resumes too; Last-Event-ID wins over it; an invalid one is a 422", async () => {
    for (let i = 1; i <= 4; i++) await api.store.appendEvent(jobId, jobEvents.step(`e${i}`));
    await api.store.finish(jobId, { status: "succeeded", pullRequests: [] });
    const viaQuery = await readFrames((await open({}, "?after=2")).body!, () => false);
    expect(seqs(viaQuery.frames)).toEqual([3, 4]);
    const both = await readFrames((await open({ "last-event-id": "3" }, "?after=1")).body!, () => false);
    expect(seqs(both.frames)).toEqual([4]);
    const bad = await open({ "last-event-id": "three" });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/^last-event-id: /);
  });
});
