import { afterEach, describe, expect, test } from "vitest";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const BASE = taskStatsScenario.repo.fullName;
const FORK = "agent-bot/task-service";

describe("fork mode (PR_HEAD_REPO)", () => {
  test("pushes the branch to the fork, never to the base, and opens the PR from it; a re-run updates that PR", async () => {
    harness = await startHarness(taskStatsScenario, { env: { PR_HEAD_REPO: FORK } });
    harness.github.addFork(BASE, FORK);
    const first = await runScenarioJob(harness, taskStatsScenario);
    expect(first.job.status, String(first.job.reason)).toBe("succeeded");

    const pulls = harness.github.pulls(BASE);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull.headRepo).toBe(FORK);
    expect(pull.head).toMatch(/^agent\/issue-12-/);
    expect(pull.body).toContain("Closes #12");
    // The branch landed in the fork, with the work; the base repository has no such branch.
    expect(harness.github.branchSha(FORK, pull.head)).toBeDefined();
    expect(harness.github.branchSha(BASE, pull.head)).toBeUndefined();
    const files = harness.github.branchFiles(FORK, pull.head)!;
    expect(new TextDecoder().decode(files.get("app/models/stats.py"))).toContain("class TaskStats");
    // Nothing was written to the base's git data; the pull request was asked for from the fork.
    const writes = harness.github.requests.filter((r) => r.method !== "GET");
    expect(writes.filter((r) => r.path.startsWith(`/repos/${BASE}/git/`))).toEqual([]);
    expect(writes.filter((r) => r.path.startsWith(`/repos/${FORK}/git/`)).length).toBeGreaterThan(0);
    const created = writes.find((r) => r.method === "POST" && r.path === `/repos/${BASE}/pulls`);
    expect(created?.body).toMatchObject({ head: `agent-bot:${pull.head}`, head_repo: FORK, base: "main" });

    // Again: the ownership check reads the fork's branch and the PR from it, so the same PR is updated.
    const firstSha = harness.github.branchSha(FORK, pull.head);
    const second = await runScenarioJob(harness, taskStatsScenario);
    expect(second.job.status, String(second.job.reason)).toBe("succeeded");
    expect(harness.github.pulls(BASE)).toHaveLength(1);
    expect(second.job.pullRequests).toEqual(first.job.pullRequests);
    expect(harness.github.branchSha(FORK, pull.head)).not.toBe(firstSha);
    expect(harness.github.branchSha(BASE, pull.head)).toBeUndefined();
  });

  test("a PR_HEAD_REPO that is no fork of the repository fails the job before any agent work, naming it", async () => {
    harness = await startHarness(taskStatsScenario, { env: { PR_HEAD_REPO: "agent-bot/elsewhere" } });
    harness.github.addRepo("agent-bot/elsewhere", {
      defaultBranch: "main",
      files: new Map([["README.md", new TextEncoder().encode("unrelated\n")]]),
    });
    const { job } = await runScenarioJob(harness, taskStatsScenario);
    expect(job.status).toBe("failed");
    expect(job.reason).toMatch(/PR_HEAD_REPO agent-bot\/elsewhere is not a fork of /);
    expect(harness.anthropic!.requests).toEqual([]);
    expect(harness.github.pulls(BASE)).toEqual([]);
  });
});

describe("push access is checked before any work", () => {
  test("credentials that may only read the repository fail the job at once, naming it and the fix", async () => {
    harness = await startHarness(taskStatsScenario);
    harness.github.denyPush(BASE);
    const { job } = await runScenarioJob(harness, taskStatsScenario);
    expect(job.status).toBe("failed");
    expect(job.reason).toMatch(/cannot push to acme\/task-service: .*Contents: read and write/);
    expect(harness.anthropic!.requests).toEqual([]);
    // Nothing was pushed and no pull request opened (the work item's progress comment says why).
    const pushes = harness.github.requests.filter((r) =>
      r.method !== "GET" && /\/git\/|\/pulls/.test(r.path)
    );
    expect(pushes).toEqual([]);
  });
});
