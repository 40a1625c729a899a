/**
 * Replicas as real processes on one PostgreSQL: a replica killed with SIGKILL in the middle of a job
 * (its pull request just opened on GitHub, the reply lost) loses its lease; the other replica
 * takes the job over, removes the dead one's sandbox, and finishes on the same branch and pull
 * request; the model calls of both attempts are counted once each, in the job's usage and in its
 * submitter's spend.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { type Cluster, startCluster } from "./cluster_fixture.ts";
import { costOverAttempts } from "../e2e/attempt_usage.ts";
import pg from "pg";

describe("a replica killed mid-job", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  test("the job completes on the other replica with exactly one pull request and no orphan container", async () => {
    const repo = cluster.scenario.repo.fullName;
    const a = await cluster.replica("replica-a");
    const prOpened = cluster.github.holdNextReply("POST", `/repos/${repo}/pulls`);
    const id = await cluster.submit(a, cluster.scenario.jobIssue);
    await prOpened;
    // A opened the pull request (GitHub holds it) and never heard back; its sandbox is still there.
    expect(cluster.github.pulls(repo)).toHaveLength(1);
    const orphans = await cluster.containersOf(id);
    expect(orphans.length).toBeGreaterThan(0);
    const b = await cluster.replica("replica-b");
    await a.kill("SIGKILL");
    const job = await waitForJob(b.url, id, { timeoutMs: 240_000 });
    const events: JobEvent[] = await fetchEvents(b.url, id, 0);
    console.log(
      `failover events of job ${id}:\n` +
        events.map((e) => `  ${e.seq} ${e.at} ${e.kind}: ${e.message}`).join("\n"),
    );
    expect(job.status, String(job.reason)).toBe("succeeded");
    const pulls = cluster.github.pulls(repo);
    expect(pulls).toHaveLength(1);
    expect((job.pullRequests as Array<{ number: number }>).map((p) => p.number)).toEqual([pulls[0]!.number]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const takeOver = events.findIndex((e) => /^taken over by replica replica-b/.test(e.message));
    expect(takeOver).toBeGreaterThan(0);
    expect(events.slice(0, takeOver).some((e) => e.message.startsWith("started"))).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: "done" });
    expect(await cluster.containersOf(id)).toEqual([]);
    const spent = costOverAttempts(events);
    expect(spent.attempts).toBe(2);
    expect((job.usage as { costUsd: number }).costUsd).toBeCloseTo(spent.costUsd, 6);
    const ledger = new pg.Pool({ connectionString: cluster.databaseUrl, max: 1 });
    try {
      const { rows } = await ledger.query<{ cost_usd: number }>("SELECT cost_usd FROM principal_spend");
      expect(rows.map((r) => r.cost_usd)).toEqual([expect.closeTo(spent.costUsd, 6)]);
    } finally {
      await ledger.end();
    }
    expect(b.logs.some((line) => line.includes("replica-a") && line.includes("released their jobs"))).toBe(
      true,
    );
  });
});
