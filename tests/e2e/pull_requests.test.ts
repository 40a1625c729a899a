import { afterEach, describe, expect, test } from "vitest";
import { parentIssueScenario } from "../../examples/scenarios/parent_issue.ts";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("a parent issue", () => {
  test("with two [dev] sub-issues and one [ops] gets exactly two PRs, each closing its own sub-issue on its own branch", async () => {
    harness = await startHarness(parentIssueScenario);
    const repo = parentIssueScenario.repo.fullName;
    const { job, events } = await runScenarioJob(harness, parentIssueScenario);
    expect(job.status, String(job.reason)).toBe("succeeded");
    const pulls = harness.github.pulls(repo);
    expect(pulls).toHaveLength(2);
    const [first, second] = pulls as [typeof pulls[0], typeof pulls[0]];
    expect(first.body).toContain("Closes #21");
    expect(first.body).not.toContain("Closes #23");
    expect(second.body).toContain("Closes #23");
    expect(second.body).not.toContain("Closes #21");
    for (const pr of pulls) expect(pr.body).toContain("Parent issue: #20");
    expect(first.head).toMatch(/^agent\/issue-21-/);
    expect(second.head).toMatch(/^agent\/issue-23-/);
    expect(events.filter((e) => e.kind === "work_items").map((e) => e.data.issues)).toEqual([[21, 23]]);
    expect(events.some((e) => "issue" in e.data && e.data.issue === 22)).toBe(false);
    expect(job.pullRequests).toEqual([
      { issue: 21, number: expect.any(Number), url: expect.any(String) },
      { issue: 23, number: expect.any(Number), url: expect.any(String) },
    ]);
    // Each branch holds its own change and its own tests, independent of the other.
    const dueDates = harness.github.branchFiles(repo, first.head)!;
    const overdue = harness.github.branchFiles(repo, second.head)!;
    expect(text(dueDates.get("app/models/task.py"))).toContain("due_date");
    expect(text(overdue.get("app/routers/tasks.py"))).toContain("overdue");
    expect(text(dueDates.get("app/routers/tasks.py"))).not.toContain("overdue");
    const passing = events.flatMap((e) =>
      e.kind === "test" && e.data.failed === 0 && e.data.exitCode === 0 ? [e.data.issue] : []
    );
    expect(passing).toEqual([21, 23]);
  });
});

describe("GitHub App authentication", () => {
  test("the job works with an installation token limited to its repository, revoked when the job ends", async () => {
    harness = await startHarness(taskStatsScenario, { githubApp: true });
    const { job } = await runScenarioJob(harness, taskStatsScenario);
    expect(job.status, String(job.reason)).toBe("succeeded");
    const tokens = harness.github.installationTokens();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.repositories).toEqual(["acme/task-service"]);
    expect(tokens[0]!.permissions).toEqual({
      contents: "write",
      pull_requests: "write",
      issues: "write",
      organization_projects: "write",
      metadata: "read",
    });
    expect(tokens[0]!.revoked).toBe(true);
    expect(harness.github.pulls(taskStatsScenario.repo.fullName)).toHaveLength(1);
  });
});

describe("retries", () => {
  test("running a finished job's issue again updates the same PR instead of opening a second one", async () => {
    harness = await startHarness(taskStatsScenario);
    const repo = taskStatsScenario.repo.fullName;
    const first = await runScenarioJob(harness, taskStatsScenario);
    expect(first.job.status).toBe("succeeded");
    const head = harness.github.pulls(repo)[0]!.head;
    const firstSha = harness.github.branchSha(repo, head);
    const second = await runScenarioJob(harness, taskStatsScenario);
    expect(second.job.status, String(second.job.reason)).toBe("succeeded");
    expect(harness.github.pulls(repo)).toHaveLength(1);
    expect(second.job.pullRequests).toEqual(first.job.pullRequests);
    expect(harness.github.branchSha(repo, head)).not.toBe(firstSha);
    const patched = harness.github.requests.filter((r) =>
      r.method === "PATCH" && /\/pulls\/\d+$/.test(r.path)
    );
    expect(patched).toHaveLength(1);
  });

  test("Anthropic 529 and GitHub 502 are retried and the job succeeds", async () => {
    const [script] = taskStatsScenario.scripts as [typeof taskStatsScenario.scripts[0]];
    const flaky: Scenario = {
      ...taskStatsScenario,
      scripts: [{
        match: script.match,
        turns: [{ error: { status: 529, type: "overloaded_error", message: "Overloaded" } }, ...script.turns],
      }],
    };
    harness = await startHarness(flaky, { env: { GITHUB_RETRY_BASE_MS: "20" } });
    const repo = flaky.repo.fullName;
    harness.github.failNext("POST", `/repos/${repo}/pulls`, 502);
    harness.github.failNext("GET", `/repos/${repo}/issues/12`, 502);
    const { job } = await runScenarioJob(harness, flaky);
    expect(job.status, String(job.reason)).toBe("succeeded");
    expect(harness.github.pulls(repo)).toHaveLength(1);
    const failedThenRetried = harness.github.requests.filter((r) =>
      r.method === "POST" && r.path === `/repos/${repo}/pulls`
    );
    expect(failedThenRetried).toHaveLength(2);
    const first = harness.anthropic!.requests[0] as { messages: unknown[] };
    const second = harness.anthropic!.requests[1] as { messages: unknown[] };
    expect(second.messages).toEqual(first.messages);
  });
});
