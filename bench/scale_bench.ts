/**
 * Scale-out on PostgreSQL, in one run on this machine, printed as one Markdown table:
 * - dispatch latency, `POST /v1/jobs` → the job `running` (its pipeline entered), PostgreSQL
 *   (graphile-worker woken by LISTEN/NOTIFY) vs SQLite (the in-process worker), p50 and p95, the
 *   service in this process with a pipeline that returns at once;
 * - failover: `kill -9` of the replica running a job → the job running again on the other replica
 *   (its `taken over` event), with `JOBS_LEASE_MS=3000`, replicas as real processes;
 * - eight stand-in jobs (the real pipeline, the GitHub and Anthropic stand-ins): two replicas vs one,
 *   as a throughput ratio. Both share this machine's cores, which bound the ratio.
 *
 * Env: BENCH_SCALE_DISPATCH (jobs per store, default 40), BENCH_SCALE_JOBS (default 8).
 * Run: `deno run -A bench/scale_bench.ts` (starts PostgreSQL, Docker containers and `deno` children).
 */
import { NO_AUDIT } from "../src/audit.ts";
import { loadConfig } from "../src/config.ts";
import type { Pipeline } from "../src/pipeline/pipeline_contract.ts";
import { buildService } from "../src/service.ts";
import { startThrowawayPostgres } from "../scripts/postgres.ts";
import { fetchEvents, waitForJob } from "../tests/e2e/harness.ts";
import { startCluster } from "../tests/pg/cluster_fixture.ts";
import type { ReplicaProcess } from "../tests/pg/replica_process.ts";
import { ms, summarize } from "./stats.ts";

const DISPATCH_JOBS = Number(Deno.env.get("BENCH_SCALE_DISPATCH") ?? 40);
const STAND_IN_JOBS = Number(Deno.env.get("BENCH_SCALE_JOBS") ?? 8);
const LEASE_MS = 3_000;
const BASE_ENV = { GITHUB_TOKEN: "ghp_bench", ANTHROPIC_API_KEY: "sk-ant-bench", AUTH_DISABLED: "true" };

/** Milliseconds from each `POST /v1/jobs` to its pipeline starting, one job at a time. */
async function dispatchLatency(env: Record<string, string>): Promise<number[]> {
  const entered = new Map<string, (at: number) => void>();
  const pipeline: Pipeline = (job) => {
    entered.get(`${job.issue}`)?.(performance.now());
    return Promise.resolve({ status: "succeeded", pullRequests: [] });
  };
  const service = await buildService(loadConfig({ ...BASE_ENV, ...env }), { pipeline, audit: NO_AUDIT });
  const samples: number[] = [];
  try {
    for (let issue = 1; issue <= DISPATCH_JOBS + 3; issue++) {
      const started = new Promise<number>((resolve) => entered.set(`${issue}`, resolve));
      const at = performance.now();
      const response = await service.app.request("/v1/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo: "acme/tasks", issue }),
      });
      await response.body?.cancel();
      const running = await started;
      if (issue > 3) samples.push(running - at); // the first three warm up
      await service.worker.idle();
    }
  } finally {
    await service.close();
  }
  return samples;
}

const postgres = await startThrowawayPostgres();
const dir = await Deno.makeTempDir({ prefix: "backend-agent-scale-bench-" });
const rows: string[][] = [];
try {
  const sqlite = summarize(await dispatchLatency({ JOBS_DB_PATH: `${dir}/jobs.sqlite` }));
  const pg = summarize(await dispatchLatency({ DATABASE_URL: await postgres.createDatabase("dispatch") }));
  rows.push([
    "dispatch latency, `POST /v1/jobs` → running, p50 (p95)",
    `PostgreSQL ${ms(pg.p50)} ms (${ms(pg.p95)}) · SQLite ${ms(sqlite.p50)} ms (${ms(sqlite.p95)})`,
    "PostgreSQL p50 ≤ 50 ms",
  ]);

  // Failover: A holds the job (GitHub's reply to its pull request held), B is idle; A is killed.
  const failover = await startCluster();
  try {
    const repo = failover.scenario.repo.fullName;
    const a = await failover.replica("bench-a", { JOBS_LEASE_MS: String(LEASE_MS) });
    const held = failover.github.holdNextReply("POST", `/repos/${repo}/pulls`);
    const id = await failover.submit(a, failover.scenario.jobIssue);
    await held;
    const b = await failover.replica("bench-b", { JOBS_LEASE_MS: String(LEASE_MS) });
    const killedAt = Date.now();
    await a.kill("SIGKILL");
    await waitForJob(b.url, id, { timeoutMs: 300_000 });
    const takeOver = (await fetchEvents(b.url, id, 0)).find((e) => e.message.startsWith("taken over"));
    const seconds = takeOver ? (Date.parse(takeOver.at) - killedAt) / 1000 : Number.NaN;
    rows.push([
      "failover, `kill -9` → running again on the other replica",
      `${seconds.toFixed(1)} s (JOBS_LEASE_MS=${LEASE_MS})`,
      `≤ lease + 5 s = ${(LEASE_MS / 1000 + 5).toFixed(0)} s`,
    ]);
  } finally {
    await failover.close();
  }

  // Throughput: the same jobs on one replica, then on two (each JOBS_CONCURRENCY=2).
  const seconds: number[] = [];
  for (const replicas of [1, 2]) {
    const cluster = await startCluster({ copies: STAND_IN_JOBS - 1 });
    try {
      const started: ReplicaProcess[] = [];
      for (let r = 0; r < replicas; r++) {
        started.push(await cluster.replica(`bench-${r}`, { JOBS_CONCURRENCY: "2" }));
      }
      const at = performance.now();
      const ids = [];
      for (const [i, issue] of cluster.issues.entries()) {
        ids.push(await cluster.submit(started[i % replicas]!, issue));
      }
      const jobs = await Promise.all(
        ids.map((id) => waitForJob(started[0]!.url, id, { timeoutMs: 600_000 })),
      );
      seconds.push((performance.now() - at) / 1000);
      const failed = jobs.filter((job) => job.status !== "succeeded");
      if (failed.length > 0) throw new Error(`${failed.length} stand-in jobs did not succeed`);
    } finally {
      await cluster.close();
    }
  }
  rows.push([
    `${STAND_IN_JOBS} stand-in jobs, two replicas vs one (JOBS_CONCURRENCY=2 each)`,
    `${(seconds[0]! / seconds[1]!).toFixed(2)}× (one: ${seconds[0]!.toFixed(0)} s, two: ${
      seconds[1]!.toFixed(0)
    } s; both on this machine's ${navigator.hardwareConcurrency} cores, which bound it)`,
    "ratio reported",
  ]);
} finally {
  await postgres.stop();
  await Deno.remove(dir, { recursive: true });
}

console.log("\n| measure | result | target |\n| --- | --- | --- |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
