import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import { GitHubError } from "../../src/errors.ts";
import type { RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { PROJECT_ROOT } from "../e2e/harness.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const [owner = "", name = ""] = scenario.repo.fullName.split("/");
const repo: RepoRef = { owner, name };
const issuePath = `/repos/${scenario.repo.fullName}/issues/${scenario.jobIssue}`;
/** An hour between attempts: a test that had to wait one out would time out instead of passing. */
const HOUR_MS = 3_600_000;

describe("a job's abort signal ends GitHub's back-off waits", () => {
  let github: GitHubStandIn;
  const sent = () => github.requests.filter((r) => r.method === "GET" && r.path === issuePath).length;
  /** Resolves once `count` reads of the issue reached the stand-in. */
  const reached = async (count: number) => {
    while (sent() < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  /** A gateway on the stand-in waiting `retryBaseMs` × n² before retry n, stopped by `signal`. */
  const gatewayWith = (retryBaseMs: number, signal: AbortSignal) =>
    createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: github.token,
      baseUrl: github.url,
      retryBaseMs,
      signal,
    });

  beforeAll(async () => {
    github = await startGitHubStandIn();
    await seedFromScenario(github, scenario, PROJECT_ROOT);
  });
  afterAll(async () => {
    await github?.close();
  });

  test("a request waiting to retry a 503 fails at once when the job stops, and is not sent again", async () => {
    const stop = new AbortController();
    const gateway = gatewayWith(HOUR_MS, stop.signal);
    const before = sent();
    github.failNext("GET", issuePath, 503, 1);
    const read = gateway.getIssue(repo, scenario.jobIssue).then(() => "read", (error: unknown) => error);
    await reached(before + 1);
    stop.abort();
    const error = await read;
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as Error).message).toMatch(
      /^Cannot read issue #12 of acme\/task-service: the job is stopping, so GitHub's back-off was not waited out$/,
    );
    expect((error as Error).message).not.toContain(github.token);
    expect(sent()).toBe(before + 1);
  });

  test("a retry whose timer fires after the stop is never sent", async () => {
    const stop = new AbortController();
    const gateway = gatewayWith(20, stop.signal);
    const before = sent();
    github.failNext("GET", issuePath, 503, 1);
    const read = gateway.getIssue(repo, scenario.jobIssue).then(() => "read", (error: unknown) => error);
    await reached(before + 1);
    stop.abort();
    expect(await read).toBeInstanceOf(GitHubError);
    // The retry's timer (20 ms) fires now and then; a request after it is the marker that it was not sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: github.token, baseUrl: github.url })
      .getIssue(
        repo,
        scenario.jobIssue,
      );
    expect(sent()).toBe(before + 2);
  });

  test("after the stop a request is sent once without retries, and one GitHub answers succeeds", async () => {
    const stop = new AbortController();
    stop.abort();
    const gateway = gatewayWith(HOUR_MS, stop.signal);
    const before = sent();
    github.failNext("GET", issuePath, 503, 1);
    await expect(gateway.getIssue(repo, scenario.jobIssue)).rejects.toThrow(/GitHub answered 503/);
    expect(sent()).toBe(before + 1);
    expect((await gateway.getIssue(repo, scenario.jobIssue)).number).toBe(scenario.jobIssue);
  });

  test("without a stop the back-off runs its course: a 503 is retried and the read succeeds", async () => {
    const gateway = gatewayWith(1, new AbortController().signal);
    const before = sent();
    github.failNext("GET", issuePath, 503, 2);
    expect((await gateway.getIssue(repo, scenario.jobIssue)).number).toBe(scenario.jobIssue);
    expect(sent()).toBe(before + 3);
  });
});
