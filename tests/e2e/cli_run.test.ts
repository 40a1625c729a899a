import { afterAll, beforeAll, expect, test } from "vitest";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { PROJECT_ROOT } from "./harness.ts";
import { type ExampleIndex, startExampleIndex } from "../../examples/example_index.ts";
import { createDockerClient } from "../../src/sandbox/docker_client.ts";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/sandbox/limits.ts";

let github: GitHubStandIn;
let anthropic: AnthropicStandIn;
/** The example repository's dependencies come from its own index (no PyPI here). */
let index: ExampleIndex;
const db = `data/cli-e2e-${crypto.randomUUID().slice(0, 8)}.sqlite`;

beforeAll(async () => {
  github = await startGitHubStandIn();
  await seedFromScenario(github, scenario, PROJECT_ROOT);
  anthropic = await startAnthropicStandIn({ scripts: scenario.scripts });
  index = await startExampleIndex(
    createDockerClient(Deno.env.get("DOCKER_HOST")),
    Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image,
  );
});
afterAll(async () => {
  await github?.close();
  await anthropic?.close();
  await index?.[Symbol.asyncDispose]();
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(`${PROJECT_ROOT}${db}${suffix}`).catch(() => {});
  }
});

test("`deno task run` runs one job with the service's own permissions, shows progress and prints the PR", async () => {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "/root",
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    ANTHROPIC_API_KEY: anthropic.apiKey,
    ANTHROPIC_BASE_URL: anthropic.url,
    JOBS_DB_PATH: db,
    ...index.settings,
    ...(Deno.env.get("SANDBOX_IMAGE") ? { SANDBOX_IMAGE: Deno.env.get("SANDBOX_IMAGE")! } : {}),
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
  };
  const result = await new Deno.Command("deno", {
    args: ["task", "run", "--repo", scenario.repo.fullName, "--issue", String(scenario.jobIssue)],
    cwd: PROJECT_ROOT,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(result.stdout);
  const err = new TextDecoder().decode(result.stderr);
  expect(result.code, `${out}\n${err}`).toBe(0);
  expect(err).not.toMatch(/NotCapable|Requires .* access/);
  const pr = github.pulls(scenario.repo.fullName)[0]!;
  expect(out).toContain(pr.html_url);
  expect(out).toMatch(/tool calls?/i);
  expect(out).toMatch(/\$\d+\.\d+/);
  for (const secret of [github.token, anthropic.apiKey]) expect(out + err).not.toContain(secret);
  // The job lifecycle log's line for the work item: how it ended, its PR, tests, cost and duration.
  const finished = err.split("\n").filter((line) => line.includes('"work item finished ')).map((l) =>
    JSON.parse(l)
  );
  expect(finished).toEqual([expect.objectContaining({
    level: "INFO",
    logger: "backend-agent.jobs",
    properties: expect.objectContaining({
      status: "submitted",
      pullRequest: pr.html_url,
      tests: { passed: expect.any(Number), failed: 0 },
      costUsd: expect.any(Number),
      durationMs: expect.any(Number),
    }),
  })]);
});
