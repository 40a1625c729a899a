/**
 * Two replicas as real processes on one PostgreSQL, the real pipeline against the stand-ins: eight
 * jobs spread over both all succeed (and an event stream on one replica follows a job running on
 * the other without a gap); PostgreSQL restarting in the middle of jobs loses none of them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { readFrames } from "../api/sse_frames.ts";
import { type Cluster, startCluster } from "./cluster_fixture.ts";
import type { ReplicaProcess } from "./replica_process.ts";

/** Ids of the jobs `replica` started, from its `job started` log lines. */
function startedOn(replica: ReplicaProcess): Set<string> {
  const ids = replica.logs.flatMap((line) => {
    if (!line.includes("job started")) return [];
    const record = JSON.parse(line) as { message: string; properties?: { jobId?: string } };
    return record.message.startsWith("job started") && record.properties?.jobId
      ? [record.properties.jobId]
      : [];
  });
  return new Set(ids);
}

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("two replicas on PostgreSQL", () => {
  let cluster: Cluster;
  let a: ReplicaProcess;
  let b: ReplicaProcess;
  beforeAll(async () => {
    cluster = await startCluster({ copies: 7 });
    a = await cluster.replica("replica-a", { JOBS_CONCURRENCY: "2" });
    b = await cluster.replica("replica-b", { JOBS_CONCURRENCY: "2" });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  test("eight jobs over two replicas all succeed; SSE from B follows a job on A without a gap", async () => {
    const ids: string[] = [];
    for (const [i, issue] of cluster.issues.entries()) ids.push(await cluster.submit(i % 2 ? b : a, issue));
    const onA = await until("a job started on replica A", () => ids.find((id) => startedOn(a).has(id)));
    const stream = await fetch(`${b.url}/v1/jobs/${onA}/events`, {
      headers: { accept: "text/event-stream" },
    });
    const streamed = readFrames(stream.body!, (frames) => frames.some((f) => f.event === "end"), 240_000);
    const jobs = await Promise.all(ids.map((id) => waitForJob(b.url, id, { timeoutMs: 240_000 })));
    expect(jobs.map((job) => [job.status, job.reason])).toEqual(ids.map(() => ["succeeded", undefined]));
    const pulls = cluster.github.pulls(cluster.scenario.repo.fullName);
    expect(pulls).toHaveLength(8);
    expect(new Set(jobs.map((job) => (job.pullRequests as Array<{ number: number }>)[0]!.number)).size).toBe(
      8,
    );
    const [ranA, ranB] = [startedOn(a), startedOn(b)];
    expect(ids.every((id) => ranA.has(id) !== ranB.has(id))).toBe(true);
    expect(ranA.size).toBeGreaterThan(0);
    expect(ranB.size).toBeGreaterThan(0);
    const { frames } = await streamed;
    const seqs = frames.filter((f) => f.event === undefined).map((f) => Number(f.id));
    const stored = await fetchEvents(a.url, onA, 0);
    expect(seqs).toEqual(stored.map((e) => e.seq));
    expect(seqs).toEqual(stored.map((_, i) => i + 1));
    expect(JSON.parse(frames.at(-1)!.data!)).toMatchObject({ status: "succeeded" });
  });

  test("PostgreSQL restarting while jobs run: the replicas reconnect and no job is lost", async () => {
    const ids = [await cluster.submit(a, cluster.issues[0]!), await cluster.submit(b, cluster.issues[1]!)];
    await until("both jobs in their sandboxes", async () => {
      const events = await Promise.all(ids.map((id) => fetchEvents(a.url, id, 0)));
      return events.every((list) => list.some((e) => e.kind === "sandbox")) ? true : undefined;
    });
    await cluster.postgres.restart();
    const after = await until("a replica to accept a job again", async () => {
      try {
        return await cluster.submit(b, cluster.issues[2]!);
      } catch {
        return undefined;
      }
    }, 30_000);
    const jobs = await Promise.all(
      [...ids, after].map((id) => waitForJob(a.url, id, { timeoutMs: 240_000 })),
    );
    expect(jobs.map((job) => [job.status, job.reason])).toEqual([
      ["succeeded", undefined],
      ["succeeded", undefined],
      ["succeeded", undefined],
    ]);
    for (const id of [...ids, after]) {
      const seqs = (await fetchEvents(b.url, id, 0)).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(await cluster.containersOf(id)).toEqual([]);
    }
    // One pull request per branch: a job retried or re-run updates its branch's pull request.
    const pulls = cluster.github.pulls(cluster.scenario.repo.fullName);
    expect(new Set(pulls.map((pull) => pull.head)).size).toBe(pulls.length);
  });
});
