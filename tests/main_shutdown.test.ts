import { afterAll, beforeAll, expect, test } from "vitest";
import { taskStatsScenario as scenario } from "../examples/scenarios/task_stats.ts";
import { generateApiKey, hashApiKey } from "../src/api/auth/api_keys.ts";
import { openSqliteStore } from "../src/jobs/sqlite_store.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "./stand_ins/github_server.ts";
import { PROJECT_ROOT } from "./e2e/harness.ts";
import { freePort, processEnv } from "./service_process.ts";

/** Long enough that a shutdown waiting out a back-off or the grace period would time the test out. */
const HOUR_MS = 3_600_000;
const issuePath = `/repos/${scenario.repo.fullName}/issues/${scenario.jobIssue}`;

let github: GitHubStandIn;
let secretsDir: string;
/** The service: `deno task start`'s own command line (its permissions), run directly so that its pid is the service's. */
let child: Deno.ChildProcess | undefined;
const startTask: string = JSON.parse(await Deno.readTextFile(`${PROJECT_ROOT}deno.json`)).tasks.start;
const db = `data/ops-shutdown-${crypto.randomUUID().slice(0, 8)}.sqlite`;

beforeAll(async () => {
  github = await startGitHubStandIn();
  await seedFromScenario(github, scenario, PROJECT_ROOT);
  secretsDir = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}data`, prefix: "secrets-" }).catch(async () => {
    await Deno.mkdir(`${PROJECT_ROOT}data`, { recursive: true });
    return Deno.makeTempDir({ dir: `${PROJECT_ROOT}data`, prefix: "secrets-" });
  });
});
afterAll(async () => {
  try {
    child?.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await github?.close();
  await Deno.remove(secretsDir, { recursive: true }).catch(() => {});
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(`${PROJECT_ROOT}${db}${suffix}`).catch(() => {});
  }
});

/** The lines a child writes on stderr, as they come, and a way to wait for one. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  let wake = () => {};
  const done = (async () => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts.filter(Boolean));
      wake();
    }
    if (rest) lines.push(rest);
    wake();
  })();
  return {
    lines,
    done,
    async until(match: (line: string) => boolean): Promise<string> {
      while (true) {
        const found = lines.find(match);
        if (found) return found;
        await new Promise<void>((resolve) => wake = resolve);
      }
    },
  };
}

test("secrets given as files run the service; SIGTERM during a GitHub back-off stops it at once, the job interrupted", async () => {
  const key = generateApiKey();
  const anthropicKey = `sk-ant-${crypto.randomUUID()}`;
  const webhookSecret = `whsec-${crypto.randomUUID()}`;
  const write = async (name: string, content: string) => {
    await Deno.writeTextFile(`${secretsDir}/${name}`, `${content}\n`);
    return `${secretsDir}/${name}`;
  };
  const apiKeys = JSON.stringify([
    { name: "ci", hash: hashApiKey(key), repos: [scenario.repo.fullName] },
    { name: "NAME", hash: hashApiKey(generateApiKey()), repos: ["OWNER/*"] },
  ]);
  const port = freePort();
  child = new Deno.Command("deno", {
    args: startTask.split(" ").slice(1),
    cwd: PROJECT_ROOT,
    env: processEnv({
      ...(Deno.env.get("SANDBOX_IMAGE") ? { SANDBOX_IMAGE: Deno.env.get("SANDBOX_IMAGE")! } : {}),
      PORT: String(port),
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN_FILE: await write("github_token", github.token),
      ANTHROPIC_API_KEY_FILE: await write("anthropic_api_key", anthropicKey),
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      API_KEYS_FILE: await write("api_keys", apiKeys),
      GITHUB_WEBHOOK_SECRET_FILE: await write("github_webhook_secret", webhookSecret),
      JOBS_DB_PATH: db,
      GITHUB_RETRY_BASE_MS: String(HOUR_MS),
      JOB_CANCEL_GRACE_MS: String(HOUR_MS),
    }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const service = child;
  const stderr = lineReader(service.stderr);
  const secrets = [github.token, anthropicKey, key, webhookSecret, hashApiKey(key).slice("sha256:".length)];
  try {
    await stderr.until((line) => line.includes('"listening on'));
    const api = `http://127.0.0.1:${port}`;
    const bodies: string[] = [];
    const denied = await fetch(`${api}/v1/jobs`, { headers: { authorization: `Bearer ${key}x` } });
    expect(denied.status).toBe(401);
    bodies.push(await denied.text());

    github.failNext("GET", issuePath, 503, 1);
    const submitted = await fetch(`${api}/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue }),
    });
    const submittedText = await submitted.text();
    expect(submitted.status, submittedText).toBe(202);
    bodies.push(submittedText);
    const jobId: string = JSON.parse(submittedText).id;
    // The job's first GitHub call got a 503; its retry waits an hour.
    while (!github.requests.some((r) => r.method === "GET" && r.path === issuePath)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const shown = await fetch(`${api}/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } });
    bodies.push(await shown.text());

    service.kill("SIGTERM");
    const status = await service.status;
    await stderr.done;
    expect(status.code, stderr.lines.join("\n")).toBe(0);

    const logged = stderr.lines.map((line) => JSON.parse(line));
    const messages = logged.map((l) => String(l.message));
    const at = (pattern: RegExp) => messages.findIndex((m) => pattern.test(m));
    expect(at(/^API_KEYS entry "NAME" still holds the placeholder/)).toBeGreaterThanOrEqual(0);
    const order = [/^job queued /, /^job started /, /^shutting down$/, /^job finished /, /^stopped$/].map(at);
    expect(order.every((i) => i >= 0), messages.join("\n")).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(logged[at(/^job finished /)]).toMatchObject({
      logger: "backend-agent.jobs",
      properties: { jobId, status: "failed", reason: expect.stringMatching(/^interrupted: /) },
    });
    // The retry was never sent: the back-off ended with the shutdown instead of being waited out.
    expect(github.requests.filter((r) => r.method === "GET" && r.path === issuePath)).toHaveLength(1);

    const store = openSqliteStore(`${PROJECT_ROOT}${db}`, { idempotencyTtlMs: HOUR_MS });
    try {
      const job = await store.get(jobId);
      expect(job).toMatchObject({ status: "failed", reason: expect.stringMatching(/^interrupted: /) });
      const events = JSON.stringify(await store.listEvents(jobId));
      for (const secret of secrets) {
        expect(JSON.stringify(job) + events, "the job").not.toContain(secret);
        expect(stderr.lines.join("\n"), "the logs").not.toContain(secret);
        expect(bodies.join("\n"), "the API's answers").not.toContain(secret);
      }
    } finally {
      store.close();
    }
  } finally {
    try {
      service.kill("SIGKILL");
    } catch {
      // It exited, as it should have.
    }
    await service.status;
  }
});
