/**
 * Two replicas of the service on one PostgreSQL database, in this process (each its own pool,
 * graphile-worker, LISTEN connection and lease), with a holding pipeline: jobs spread over both,
 * events of a job running on one stream live from the other (and resume there), a cancel asked on
 * one stops the job on the other, and a replica stopping hands its running job back to the queue.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import type { Job } from "../../src/contracts/job.ts";
import { loadConfig } from "../../src/config.ts";
import { jobEvents } from "../../src/pipeline/job_event_builders.ts";
import { buildService, type Service } from "../../src/service.ts";
import { readFrames } from "../api/sse_frames.ts";
import { type HoldingPipeline, holdingPipeline } from "../jobs/holding_pipeline.ts";
import { type PgFixture, startPgFixture } from "./pg_fixture.ts";
import { LOST_HOST, lostHostPipeline } from "../jobs/lost_host_pipeline.ts";
import { submitToReplica } from "./submit_to_replica.ts";

const BASE_ENV = { GITHUB_TOKEN: "ghp_test", ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true" };

let fixture: PgFixture;
beforeAll(async () => {
  fixture = await startPgFixture();
});
afterAll(async () => {
  await fixture.stop();
});

describe("replicas on PostgreSQL", () => {
  const services: Service[] = [];
  afterEach(async () => {
    for (const service of services.splice(0)) await service.close();
  });

  const replica = async (url: string, held: HoldingPipeline, env: Record<string, string> = {}) => {
    const config = loadConfig({ ...BASE_ENV, DATABASE_URL: url, JOBS_LEASE_MS: "3000", ...env });
    const service = await buildService(config, { pipeline: held.pipeline, audit: NO_AUDIT });
    services.push(service);
    return service;
  };
  const submit = submitToReplica;
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const finalStatus = async (service: Service, id: string) => {
    for (;;) {
      const job = await service.store.get(id);
      if (job && ["succeeded", "failed", "cancelled"].includes(job.status)) return job.status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  test("eight jobs submitted to either replica all succeed, and both replicas run some", async () => {
    const url = await fixture.freshDatabase();
    const ran = new Map<string, string>();
    const heldA = holdingPipeline({ onStart: (job) => void ran.set(job.id, "a") });
    const heldB = holdingPipeline({ onStart: (job) => void ran.set(job.id, "b") });
    const a = await replica(url, heldA);
    const b = await replica(url, heldB);
    const ids = [];
    for (let i = 1; i <= 8; i++) ids.push(await submit(i % 2 ? a : b, i));
    // Each replica holds one job (JOBS_CONCURRENCY=1), so the other must take the next.
    await Promise.all([heldA.whenActive(1), heldB.whenActive(1)]);
    const releaser = setInterval(() => {
      heldA.release();
      heldB.release();
    }, 20);
    try {
      const statuses = await Promise.all(ids.map((id) => finalStatus(a, id)));
      expect(statuses).toEqual(Array(8).fill("succeeded"));
    } finally {
      clearInterval(releaser);
    }
    const counts = { a: [...ran.values()].filter((r) => r === "a").length, b: 0 };
    counts.b = ran.size - counts.a;
    expect(ran.size).toBe(8);
    expect(counts.a).toBeGreaterThan(0);
    expect(counts.b).toBeGreaterThan(0);
  });

  test("QUOTA_MAX_RUNNING and the fair order hold across replicas: one submitter's backlog waits, another's job starts", async () => {
    const url = await fixture.freshDatabase();
    const submitterOf = new Map<string, string>();
    const started: string[] = [];
    let peak = 0;
    const held: HoldingPipeline[] = [];
    const onStart = (job: Job) => {
      started.push(`${job.submitter}#${job.issue}`);
      const active = held.flatMap((h) => [...h.active]).filter((id) => submitterOf.get(id) === job.submitter);
      peak = Math.max(peak, active.length);
    };
    held.push(holdingPipeline({ onStart }), holdingPipeline({ onStart }));
    // Four places to run jobs over the two replicas, one job per submitter at a time.
    const settings = { JOBS_CONCURRENCY: "2", QUOTA_MAX_RUNNING: "1" };
    const a = await replica(url, held[0]!, settings);
    await replica(url, held[1]!, settings);
    const ids: string[] = [];
    for (const [submitter, issue] of [["key:a", 1], ["key:a", 2], ["key:a", 3], ["key:b", 1]] as const) {
      const job = await a.store.create({ repo: "acme/tasks", issue, submitter });
      submitterOf.set(job.id, submitter);
      ids.push(job.id);
    }
    await until(() => started.length === 2);
    expect(new Set(started)).toEqual(new Set(["key:a#1", "key:b#1"]));
    expect((await Promise.all(ids.slice(1, 3).map((id) => a.store.get(id)))).map((j) => j?.status)).toEqual([
      "queued",
      "queued",
    ]);
    const releaser = setInterval(() => held.forEach((h) => h.release()), 20);
    try {
      expect(await Promise.all(ids.map((id) => finalStatus(a, id)))).toEqual(Array(4).fill("succeeded"));
    } finally {
      clearInterval(releaser);
    }
    expect(started.slice(2)).toEqual(["key:a#2", "key:a#3"]);
    expect(peak).toBe(1);
  });

  test("a job whose work item lost its Docker host goes back in the queue and another turn runs it again", async () => {
    const url = await fixture.freshDatabase();
    const { pipeline, runs } = lostHostPipeline(1);
    const config = loadConfig({ ...BASE_ENV, DATABASE_URL: url, JOBS_LEASE_MS: "3000" });
    const service = await buildService(config, { pipeline, audit: NO_AUDIT });
    services.push(service);
    const id = await submit(service, 1);
    expect(await finalStatus(service, id)).toBe("succeeded");
    expect(runs.get(id)).toBe(2);
    const events = await service.store.listEvents(id);
    expect(events.map((e) => e.kind)).toEqual(["step", "retry", "step", "done"]);
    expect(events[1]!.data).toEqual({
      retry: 1,
      maxRetries: 2,
      reason: `#1: Docker host ${LOST_HOST} stopped answering`,
    });
  });

  test("SSE from replica B follows a job running on replica A without a gap, and resumes on A", async () => {
    const url = await fixture.freshDatabase();
    const heldA = holdingPipeline();
    const a = await replica(url, heldA);
    const b = await replica(url, holdingPipeline(), { JOBS_CONCURRENCY: "1" });
    // B takes no job while it holds none: stop its worker so the job must run on A.
    await b.worker.stop();
    const id = await submit(b, 1);
    await heldA.whenActive(1);
    const stream = await b.app.request(`/v1/jobs/${id}/events`, { headers: { accept: "text/event-stream" } });
    const reading = readFrames(stream.body!, (frames) => frames.some((f) => f.event === "end"), 20_000);
    for (let i = 1; i <= 5; i++) await a.store.appendEvent(id, jobEvents.step(`step ${i} on A`));
    heldA.release(id);
    const { frames } = await reading;
    const events = frames.filter((f) => f.event === undefined).map((f) => JSON.parse(f.data!));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.message)).toEqual([
      "started acme/tasks#1",
      "step 1 on A",
      "step 2 on A",
      "step 3 on A",
      "step 4 on A",
      "step 5 on A",
      "succeeded",
    ]);
    expect(frames.at(-1)).toMatchObject({ event: "end" });
    expect(JSON.parse(frames.at(-1)!.data!)).toMatchObject({ status: "succeeded" });
    const resumed = await a.app.request(`/v1/jobs/${id}/events`, {
      headers: { accept: "text/event-stream", "last-event-id": "4" },
    });
    const rest = await readFrames(resumed.body!, (f) => f.some((x) => x.event === "end"), 20_000);
    expect(rest.frames.filter((f) => f.event === undefined).map((f) => Number(f.id))).toEqual([5, 6, 7]);
  });

  test("a cancel asked on replica B stops the job running on replica A", async () => {
    const url = await fixture.freshDatabase();
    const heldA = holdingPipeline();
    const a = await replica(url, heldA);
    const b = await replica(url, holdingPipeline());
    await b.worker.stop();
    const id = await submit(a, 1);
    await heldA.whenActive(1);
    const response = await b.app.request(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect([200, 202]).toContain(response.status);
    expect(await finalStatus(b, id)).toBe("cancelled");
    expect(heldA.aborted.get(id)).toMatch(/cancelled by/);
  });

  test("a replica stopping hands its running job back to the queue, and another replica finishes it", async () => {
    const url = await fixture.freshDatabase();
    const heldA = holdingPipeline();
    const a = await replica(url, heldA, { JOB_CANCEL_GRACE_MS: "300" });
    const id = await submit(a, 1);
    await heldA.whenActive(1);
    const heldB = holdingPipeline({ onStart: () => heldB.release() });
    const b = await replica(url, heldB);
    await a.drain();
    expect(heldA.aborted.get(id)).toMatch(/stopping/);
    expect(await finalStatus(b, id)).toBe("succeeded");
    const messages = (await b.store.listEvents(id)).map((e) => e.message);
    expect(messages).toEqual([
      "started acme/tasks#1",
      "interrupted by a shutdown; back in the queue",
      "started acme/tasks#1",
      "succeeded",
    ]);
  });
});
