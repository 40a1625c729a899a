/**
 * The HTTP API under load on loopback: `POST /v1/jobs` and `GET /v1/jobs/{id}`
 * latency (p50, p99, one request in flight) and throughput (CONNECTIONS in
 * flight), and the service's resident memory idle and with 8 jobs running.
 * The service runs in its own process (`api_bench_server.ts`, explicit
 * permissions, API-key auth, SQLite on a temp dir, audit log to a file); the
 * load generator runs here. Prints one Markdown table with the targets.
 *
 * Env: BENCH_API_REQUESTS (latency samples per route, default 2000),
 * BENCH_API_SECONDS (throughput window per route, default 3), BENCH_API_CONNECTIONS (default 16).
 * Run: `deno run -A bench/api_bench.ts` (it starts a `deno` child process).
 */
import { hashApiKey } from "../src/api/auth/api_keys.ts";
import { ms, percentile } from "./stats.ts";

const REQUESTS = Number(Deno.env.get("BENCH_API_REQUESTS") ?? 2000);
const SECONDS = Number(Deno.env.get("BENCH_API_SECONDS") ?? 3);
const CONNECTIONS = Number(Deno.env.get("BENCH_API_CONNECTIONS") ?? 16);
const RUNNING_JOBS = 8;
const KEY = `bak_bench-${crypto.randomUUID()}`;

const dir = await Deno.makeTempDir({ prefix: "backend-agent-api-bench-" });
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
    `--allow-write=${dir}`,
    new URL("./api_bench_server.ts", import.meta.url).pathname,
  ],
  env: {
    GITHUB_TOKEN: "ghp_bench",
    ANTHROPIC_API_KEY: "sk-ant-bench",
    JOBS_DB_PATH: `${dir}/jobs.sqlite`,
    AUDIT_LOG_PATH: `${dir}/audit.log`,
    API_KEYS: JSON.stringify([{ name: "bench", hash: hashApiKey(KEY), scopes: ["admin"] }]),
    JOBS_CONCURRENCY: String(RUNNING_JOBS),
    // One key submits thousands of jobs here: the per-principal queue and running caps would refuse them.
    QUOTA_MAX_QUEUED: "1000000",
    QUOTA_MAX_RUNNING: String(RUNNING_JOBS),
  },
  stdout: "piped",
  stderr: "null",
}).spawn();

try {
  const port = await readPort(child.stdout);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  let issue = 0;
  const submit = async () => {
    const response = await fetch(`${base}/v1/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ repo: "acme/bench", issue: ++issue }),
    });
    if (response.status !== 202) throw new Error(`POST /v1/jobs answered ${response.status}`);
    return (await response.json() as { id: string }).id;
  };
  const read = (id: string) => async () => {
    const response = await fetch(`${base}/v1/jobs/${id}`, { headers });
    if (response.status !== 200) throw new Error(`GET /v1/jobs/{id} answered ${response.status}`);
    await response.arrayBuffer();
  };

  await new Promise((r) => setTimeout(r, 1_000));
  const idleRss = rssMb(child.pid);

  // 8 jobs held running by the pipeline.
  const running: string[] = [];
  for (let i = 0; i < RUNNING_JOBS; i++) running.push(await submit());
  await until(async () => {
    const page = await (await fetch(`${base}/v1/jobs?status=running`, { headers })).json() as {
      jobs: unknown[];
    };
    return page.jobs.length === RUNNING_JOBS;
  });
  const runningRss = rssMb(child.pid);

  for (let i = 0; i < 200; i++) await submit(); // warm-up
  const submitLatency = await latencies(submit, REQUESTS);
  const submitRate = await throughput(submit);
  const target = running[0]!;
  for (let i = 0; i < 200; i++) await read(target)();
  const readLatency = await latencies(read(target), REQUESTS);
  const readRate = await throughput(read(target));
  const loadedRss = rssMb(child.pid);

  const rows: Array<[string, string, string, boolean | undefined]> = [
    [
      "`POST /v1/jobs` p50 (1 in flight)",
      `${ms(percentile(submitLatency, 50))} ms`,
      "≤ 5 ms",
      percentile(submitLatency, 50) <= 5,
    ],
    ["`POST /v1/jobs` p99 (1 in flight)", `${ms(percentile(submitLatency, 99))} ms`, "", undefined],
    [
      `\`POST /v1/jobs\` throughput (${CONNECTIONS} in flight)`,
      `${Math.round(submitRate)} req/s`,
      "",
      undefined,
    ],
    ["`GET /v1/jobs/{id}` p50 (1 in flight)", `${ms(percentile(readLatency, 50))} ms`, "", undefined],
    ["`GET /v1/jobs/{id}` p99 (1 in flight)", `${ms(percentile(readLatency, 99))} ms`, "", undefined],
    [
      `\`GET /v1/jobs/{id}\` throughput (${CONNECTIONS} in flight)`,
      `${Math.round(readRate)} req/s`,
      "≥ 2000 req/s",
      readRate >= 2000,
    ],
    ["service RSS, idle", `${idleRss.toFixed(0)} MB`, "≤ 120 MB", idleRss <= 120],
    [`service RSS, ${RUNNING_JOBS} jobs running`, `${runningRss.toFixed(0)} MB`, "", undefined],
    [`service RSS, after the load (${issue} jobs stored)`, `${loadedRss.toFixed(0)} MB`, "", undefined],
  ];
  console.log(
    `\nHTTP API on loopback (${navigator.hardwareConcurrency} CPUs; API-key auth, SQLite WAL, audit log on)\n`,
  );
  console.log("| Measure | Result | Target | |");
  console.log("| --- | --- | --- | --- |");
  for (const [name, value, goal, ok] of rows) {
    console.log(`| ${name} | ${value} | ${goal} | ${ok === undefined ? "" : ok ? "met" : "**missed**"} |`);
  }
} finally {
  child.kill("SIGTERM");
  await child.status;
  await Deno.remove(dir, { recursive: true }).catch(() => undefined);
}

async function latencies(call: () => Promise<unknown>, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function throughput(call: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < end) {
      await call();
      done++;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

async function readPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the bench server exited before listening");
    text += value;
  }
  reader.releaseLock();
  return (JSON.parse(text.split("\n")[0]!) as { port: number }).port;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("jobs did not start in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
