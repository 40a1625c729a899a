import { afterEach, describe, expect, test } from "vitest";
import type { AuditEvent } from "../../src/audit.ts";
import type { JobView } from "../../src/api/job_schemas.ts";
import { startWorker, type Worker } from "../../src/jobs/worker.ts";
import { holdingPipeline, WORKER_SETTINGS } from "../jobs/holding_pipeline.ts";
import { type ApiFixture, apiFixture, errorOf, OTHER_KEY, TEST_KEY } from "./api_fixture.ts";

const USAGE = { inputTokens: 1000, outputTokens: 100, totalTokens: 1100, turns: 1 };

let api: ApiFixture | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  api?.store.close();
  api = undefined;
});

const quotaLines = (fixture: ApiFixture) =>
  fixture.audit().filter((e): e is Extract<AuditEvent, { event: "quota_exceeded" }> =>
    e.event === "quota_exceeded"
  );

describe("per-principal quotas", () => {
  test(
    "a 4,000-job burst from one key gets 429 past QUOTA_MAX_QUEUED; another key's job is accepted and runs",
    async () => {
      const held = holdingPipeline();
      api = apiFixture({
        quotas: { maxQueued: 100 },
        // The real worker over the same store, started once the burst is in (below).
        queue: { kick: () => worker?.kick(), cancel: () => false },
      });
      const fixture = api;
      const burst = await Promise.all(
        Array.from(
          { length: 4_000 },
          (_, i) => fixture.call("/v1/jobs", { body: { repo: "acme/tasks", issue: i + 1 } }),
        ),
      );
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(100);
      expect(statuses.filter((s) => s === 429)).toHaveLength(3_900);
      const refused = burst.find((r) => r.status === 429)!;
      expect(refused.headers.get("retry-after")).toBe("60");
      const error = await errorOf(refused);
      expect(error).toMatchObject({
        code: "quota_exceeded",
        message: expect.stringMatching(
          /^key:ci already has 100 jobs queued, the most QUOTA_MAX_QUEUED=100 allows/,
        ),
        quota: { setting: "QUOTA_MAX_QUEUED", limit: 100, used: 100, retryAfterSeconds: 60 },
      });
      expect((await fixture.store.list({ limit: 200, status: "queued" })).jobs).toHaveLength(100);
      const lines = quotaLines(fixture);
      expect(lines).toHaveLength(3_900);
      expect(lines[0]).toMatchObject({
        principal: "key:ci",
        setting: "QUOTA_MAX_QUEUED",
        limit: 100,
        used: 100,
      });

      const theirs = await fixture.call("/v1/jobs", {
        body: { repo: "acme/tasks", issue: 1 },
        headers: { authorization: `Bearer ${OTHER_KEY}` },
      });
      expect(theirs.status).toBe(202);
      const other = await theirs.json() as JobView;

      // Two slots, one job per principal at a time: key:ci's backlog cannot hold the second slot.
      worker = startWorker(fixture.store, held.pipeline, {
        ...WORKER_SETTINGS,
        concurrency: 2,
        maxRunningPerPrincipal: 1,
      });
      await held.whenActive(2);
      const running = await Promise.all([...held.active].map((id) => fixture.store.get(id)));
      expect(running.map((j) => j?.submitter).sort()).toEqual(["key:ci", "key:other"]);
      expect(held.active.has(other.id)).toBe(true);
      expect((await fixture.store.list({ limit: 100, status: "queued" })).jobs).toHaveLength(99);
    },
    60_000,
  );

  test("a principal whose model spend today reached QUOTA_USD_PER_DAY gets 429 until 00:00 UTC; others do not", async () => {
    api = apiFixture({ quotas: { usdPerDay: 5 }, now: () => new Date("2031-05-06T23:00:00.000Z") });
    const mine = await api.store.create({ repo: "acme/tasks", issue: 1, submitter: "key:ci" });
    await api.store.claimNext();
    await api.store.recordUsage(mine.id, 1, { ...USAGE, costUsd: 4.99 });
    expect((await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue: 2 } })).status).toBe(202);
    await api.store.recordUsage(mine.id, 1, { ...USAGE, costUsd: 5 });
    const refused = await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue: 3 } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
    expect(await errorOf(refused)).toMatchObject({
      code: "quota_exceeded",
      message: "key:ci spent $5.00 on the model today, the most QUOTA_USD_PER_DAY=5 allows per UTC day; " +
        "submit again after 00:00 UTC",
      quota: { setting: "QUOTA_USD_PER_DAY", limit: 5, used: 5, retryAfterSeconds: 3600 },
    });
    expect(quotaLines(api)).toEqual([
      expect.objectContaining({ principal: "key:ci", setting: "QUOTA_USD_PER_DAY", limit: 5, used: 5 }),
    ]);
    const theirs = await api.call("/v1/jobs", {
      body: { repo: "acme/tasks", issue: 3 },
      headers: { authorization: `Bearer ${OTHER_KEY}` },
    });
    expect(theirs.status).toBe(202);
  });
});

describe("event stream quota", () => {
  test(
    "past QUOTA_MAX_STREAMS a stream gets 429; a client that disconnects, or a stream that ends, gives its slot back",
    async () => {
      api = apiFixture({ quotas: { maxStreams: 2 } });
      const job = await api.store.create({ repo: "acme/tasks", issue: 1, submitter: "key:ci" });
      await api.store.claimNext();
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.app.fetch);
      const url = `http://127.0.0.1:${server.addr.port}/v1/jobs/${job.id}/events`;
      const open = (key = TEST_KEY) => {
        const client = new AbortController();
        const response = fetch(url, {
          headers: { accept: "text/event-stream", authorization: `Bearer ${key}` },
          signal: client.signal,
        });
        return { client, response };
      };
      const streams: Array<ReturnType<typeof open>> = [];
      try {
        streams.push(open(), open());
        for (const s of streams) expect((await s.response).status).toBe(200);
        const third = await open().response;
        expect(third.status).toBe(429);
        expect(third.headers.get("retry-after")).toBe("10");
        expect(await errorOf(third)).toMatchObject({
          code: "quota_exceeded",
          quota: { setting: "QUOTA_MAX_STREAMS", limit: 2, used: 2 },
        });
        expect(quotaLines(api)).toEqual([
          expect.objectContaining({ principal: "key:ci", setting: "QUOTA_MAX_STREAMS", limit: 2, used: 2 }),
        ]);
        // The limit is per principal: another key still streams, and the JSON form is never limited.
        const theirs = open(OTHER_KEY);
        streams.push(theirs);
        expect((await theirs.response).status).toBe(200);
        const json = await api.call(`/v1/jobs/${job.id}/events`);
        expect(json.status).toBe(200);

        // The first client goes away; the server notices and frees its slot.
        streams[0]!.client.abort();
        await (await streams[0]!.response).body?.cancel().catch(() => undefined);
        let again = open();
        while ((await again.response).status === 429) {
          await (await again.response).body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 20));
          again = open();
        }
        streams.push(again);
        expect((await again.response).status).toBe(200);

        // A stream that ends because its job is final gives its slot back too.
        await api.store.finish(job.id, { status: "succeeded", pullRequests: [] });
        for (const s of [streams[1]!, again]) await (await s.response).text();
        const after = [open(), open()];
        streams.push(...after);
        for (const s of after) expect((await s.response).status).toBe(200);
      } finally {
        for (const s of streams) s.client.abort();
        await server.shutdown();
      }
    },
    30_000,
  );
});
