import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { apiKeyPlaceholders, hashApiKey, parseApiKeys } from "../../src/api/auth/api_keys.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService } from "../../src/service.ts";
import { holdingPipeline } from "../jobs/holding_pipeline.ts";
import { PROJECT_ROOT } from "../e2e/harness.ts";
import { NO_AUDIT } from "../../src/audit.ts";
import type { CliIo } from "../../src/cli/cli_io.ts";
import { runCli } from "../../src/cli.ts";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { Pipeline } from "../../src/pipeline/pipeline_contract.ts";

interface Captured {
  io: CliIo;
  out: string[];
  err: string[];
  interrupt: () => void;
}

const capture = (
  options: { env?: Record<string, string>; stdin?: string; pipeline?: Pipeline } = {},
): Captured => {
  const out: string[] = [];
  const err: string[] = [];
  let handler: (() => void) | undefined;
  return {
    out,
    err,
    interrupt: () => handler?.(),
    io: {
      env: options.env ?? {},
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readStdin: () => Promise.resolve(options.stdin),
      onInterrupt: (h) => {
        handler = h;
        return () => handler = undefined;
      },
      ...(options.pipeline ? { service: { pipeline: options.pipeline, audit: NO_AUDIT } } : {}),
    },
  };
};

describe("hash-key", () => {
  test("without stdin it prints a new key and its hash", async () => {
    const c = capture();
    expect(await runCli(["hash-key"], c.io)).toBe(0);
    const key = c.out[0]!.replace(/^key:\s+/, "");
    expect(key).toMatch(/^bak_/);
    expect(c.out[2]).toBe(`hash: ${hashApiKey(key)}`);
    expect(c.out[3]).toContain(`"hash":"${hashApiKey(key)}"`);
  });

  test("with a key on stdin it prints only that key's hash; a key as an argument is refused", async () => {
    const c = capture({ stdin: "bak_given\n" });
    expect(await runCli(["hash-key"], c.io)).toBe(0);
    expect(c.out[0]).toBe(`hash: ${hashApiKey("bak_given")}`);
    expect(c.out.join("\n")).not.toContain("key:");
    const arg = capture();
    expect(await runCli(["hash-key", "bak_secret"], arg.io)).toBe(2);
    expect(arg.err[0]).toMatch(/stdin/);
  });

  test("--name, --repos and --scopes make an entry with no placeholder; without them it says what to edit", async () => {
    const ready = capture();
    expect(
      await runCli(
        ["hash-key", "--name", "ci", "--repos", "acme/*,acme/api", "--scopes", "jobs:write"],
        ready.io,
      ),
    )
      .toBe(0);
    const entry = JSON.parse(ready.out[3]!.replace(/^API_KEYS='(.*)'$/, "$1"));
    expect(entry).toEqual([{
      name: "ci",
      hash: expect.stringMatching(/^sha256:/),
      scopes: ["jobs:write"],
      repos: ["acme/*", "acme/api"],
    }]);
    expect(apiKeyPlaceholders(parseApiKeys(JSON.stringify(entry)))).toEqual([]);
    expect(ready.err).toEqual([]);
    const bare = capture();
    expect(await runCli(["hash-key"], bare.io)).toBe(0);
    const placeholders = parseApiKeys(bare.out[3]!.replace(/^API_KEYS='(.*)'$/, "$1"));
    expect(apiKeyPlaceholders(placeholders)).toEqual([expect.stringMatching(
      /^API_KEYS entry "NAME" still holds the placeholder "name":"NAME" and "repos":\["OWNER\/\*"\]: .*--name/,
    )]);
    expect(bare.err[0]).toMatch(
      /placeholders \("NAME", "OWNER\/\*"\): edit them, or run again with --name and --repos/,
    );
  });

  test("a bad --name, --repos or --scopes is refused with the service's own rule", async () => {
    for (
      const [args, message] of [
        [["--name", "two words"], /--name must be 1-64 characters/],
        [["--repos", "acme/tasks;rm"], /--repos must be a list of repository globs/],
        [["--scopes", "jobs:everything"], /--scopes must be a list of jobs:read, jobs:write/],
        [["--nme", "ci"], /Unknown option '--nme'/],
      ] as const
    ) {
      const c = capture();
      expect(await runCli(["hash-key", ...args], c.io), args.join(" ")).toBe(2);
      expect(c.err[0]).toMatch(message);
      expect(c.out).toEqual([]);
    }
  });

  test("the entry pasted into a shell as printed gives a key that works against the API", async () => {
    const printed = await new Deno.Command("deno", {
      args: ["task", "--quiet", "hash-key", "--name", "ci", "--repos", "acme/tasks"],
      cwd: PROJECT_ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    expect(printed.code).toBe(0);
    const lines = new TextDecoder().decode(printed.stdout).split("\n");
    const key = lines.find((l) => l.startsWith("key:"))!.replace(/^key:\s+/, "");
    const pasted = lines.find((l) => l.startsWith("API_KEYS="))!;
    // What an operator does: paste the line into a shell (or a .env file, same quoting) and start the service.
    const shell = await new Deno.Command("sh", {
      args: ["-c", `${pasted}\nprintf %s "$API_KEYS"`],
      stdout: "piped",
    }).output();
    const apiKeys = new TextDecoder().decode(shell.stdout);
    const dir = await Deno.makeTempDir({ prefix: "backend-agent-hash-key-" });
    const held = holdingPipeline();
    const service = await buildService(
      loadConfig({
        GITHUB_TOKEN: "ghp_x",
        ANTHROPIC_API_KEY: "sk-ant-x",
        API_KEYS: apiKeys,
        JOBS_DB_PATH: `${dir}/jobs.sqlite`,
      }),
      { pipeline: held.pipeline, audit: NO_AUDIT },
    );
    try {
      const submit = (repo: string) =>
        service.app.request("/v1/jobs", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ repo, issue: 1 }),
        });
      const accepted = await submit("acme/tasks");
      expect(accepted.status).toBe(202);
      expect((await accepted.json()).submitter).toBe("key:ci");
      expect((await submit("acme/other")).status).toBe(403);
    } finally {
      held.release();
      await service.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

describe("deno task run", () => {
  let dir: string;
  const env = () => ({
    GITHUB_TOKEN: "ghp_test",
    ANTHROPIC_API_KEY: "sk-ant-test",
    JOBS_DB_PATH: `${dir}/jobs.sqlite`,
  });
  beforeEach(async () => {
    dir = await Deno.makeTempDir({ prefix: "backend-agent-cli-" });
  });
  afterEach(async () => {
    await Deno.remove(dir, { recursive: true });
  });

  test("bad arguments and bad settings exit 2 naming the problem", async () => {
    const missing = capture({ env: env() });
    expect(await runCli(["run", "--repo", "acme/tasks"], missing.io)).toBe(2);
    expect(missing.err[0]).toMatch(/^--issue: /);
    const badRepo = capture({ env: env() });
    expect(await runCli(["run", "--repo", "acme", "--issue", "3"], badRepo.io)).toBe(2);
    expect(badRepo.err[0]).toMatch(/^--repo: .*owner\/name/);
    const unknown = capture({ env: env() });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "3", "--force"], unknown.io)).toBe(2);
    const noToken = capture({ env: { JOBS_DB_PATH: `${dir}/jobs.sqlite` } });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "3"], noToken.io)).toBe(2);
    expect(noToken.err[0]).toMatch(/GITHUB_TOKEN is required/);
  });

  test("a job that succeeds prints each step with tool calls and cost so far, then its pull requests; exit 0", async () => {
    const pipeline: Pipeline = async (_job, emit) => {
      const item = workItemEvents(12);
      await emit(jobEvents.workItems({ issues: [12] }));
      await emit(item.tool({ turn: 1, tool: "bash", summary: "bash: ls" }));
      await emit(item.tool({ turn: 2, tool: "bash", summary: "bash: pytest -q" }));
      const tokens = { inputTokens: 2000, outputTokens: 1000, totalTokens: 3000 };
      await emit(item.usage({ turn: 2, ...tokens, costUsd: 0.042 }));
      await emit(item.test({ command: "pytest -q", passed: 19, failed: 0, exitCode: 0 }));
      const url = "https://github.example/acme/tasks/pull/7";
      await emit(item.pullRequest({ number: 7, url, draft: true, testsFailing: false }));
      return {
        status: "succeeded",
        pullRequests: [{ issue: 12, number: 7, url: "https://github.example/acme/tasks/pull/7" }],
      };
    };
    const c = capture({ env: env(), pipeline });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "12", "--base", "main"], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^job [0-9a-f-]{36}: acme\/tasks#12 onto main$/);
    const lines = c.out.join("\n");
    expect(lines).toMatch(/step\s+started acme\/tasks#12\s+\(tools 0, \$0\.0000\)/);
    expect(lines).toMatch(/test\s+#12: 19 passed, 0 failed \(exit 0\)\s+\(tools 2, \$0\.0420\)/);
    expect(lines).not.toContain("bash: ls");
    expect(lines).toContain("pull request #7 for issue #12: https://github.example/acme/tasks/pull/7");
    expect(c.out.at(-1)).toMatch(/^succeeded in [\d.]+s; 2 tool calls, \d+ tokens, \$0\.0420$/);
    const store = openSqliteStore(`${dir}/jobs.sqlite`, { idempotencyTtlMs: 86_400_000 });
    const { jobs } = await store.list({ limit: 5 });
    expect(jobs[0]).toMatchObject({ status: "succeeded", submitter: "cli" });
    store.close();
  });

  test("a hostile file name and reason reach the terminal as one line each, their controls shown", async () => {
    const hostile = "x.py\x1b[2K\r[  9.9s] done          All tests passed\n\x9b32mok";
    const pipeline: Pipeline = async (_job, emit) => {
      await emit(workItemEvents(12).notCommitted([{ path: hostile, reason: "protected path" }]));
      return { status: "failed", reason: `#12 diff_rejected: ${hostile}`, pullRequests: [] };
    };
    const c = capture({ env: env(), pipeline });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "12"], c.io)).toBe(1);
    const printed = [...c.out, ...c.err].join("\n");
    // deno-lint-ignore no-control-regex -- no control character but the line feed may reach the terminal
    expect(printed).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const verdicts = printed.split("\n").filter((line) => line.includes("All tests passed"));
    expect(verdicts).toHaveLength(3);
    for (const line of verdicts) {
      expect(line).toContain("x.py\\x1b[2K\\r[  9.9s] done          All tests passed\\n");
    }
    expect(c.err.at(-1)).toMatch(/\nreason: #12 diff_rejected: x\.py\\x1b\[2K/);
  });

  test("a job that fails exits 1 with the reason", async () => {
    const c = capture({
      env: env(),
      pipeline: () =>
        Promise.resolve({ status: "failed", reason: "#12 tests_failed: pytest exited 1", pullRequests: [] }),
    });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "12"], c.io)).toBe(1);
    expect(c.err.join("\n")).toMatch(/^failed in .*\nreason: #12 tests_failed: pytest exited 1$/s);
  });

  test("Ctrl-C aborts the pipeline's signal; the job ends cancelled and the command exits 130", async () => {
    const control = { interrupt: () => {} };
    const pipeline: Pipeline = (_job, emit, signal) =>
      new Promise((_, reject) => {
        emit(jobEvents.step("working")).catch(reject);
        setTimeout(() => control.interrupt(), 50);
        signal.addEventListener("abort", () => reject(new Error("stopped")), { once: true });
      });
    const c = capture({ env: env(), pipeline });
    control.interrupt = c.interrupt;
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "12"], c.io)).toBe(130);
    expect(c.err.join("\n")).toContain("reason: cancelled from the command line");
  });

  test("it leaves other queued jobs in a shared database alone", async () => {
    const store = openSqliteStore(`${dir}/jobs.sqlite`, { idempotencyTtlMs: 86_400_000 });
    const other = await store.create({ repo: "acme/other", issue: 1 });
    store.close();
    const c = capture({
      env: env(),
      pipeline: () => Promise.resolve({ status: "succeeded", pullRequests: [] }),
    });
    expect(await runCli(["run", "--repo", "acme/tasks", "--issue", "12"], c.io)).toBe(0);
    const after = openSqliteStore(`${dir}/jobs.sqlite`, { idempotencyTtlMs: 86_400_000 });
    expect((await after.get(other.id))?.status).toBe("queued");
    after.close();
  });

  test("an unknown command prints the usage and exits 2", async () => {
    const c = capture();
    expect(await runCli(["deploy"], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/Unknown command "deploy"[\s\S]*deno task run --repo/);
  });
});
