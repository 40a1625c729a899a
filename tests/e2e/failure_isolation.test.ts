/**
 * A work item's failure is the work item's: an infrastructure error injected
 * at each step ends the job or the one work item with a reason, the next
 * sub-issue still runs, and nothing is left `running`.
 */
import { afterEach, describe, expect, test } from "vitest";
import { parentIssueScenario } from "../../examples/scenarios/parent_issue.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const REPO = parentIssueScenario.repo.fullName;
/** GitHub retries are quick in these tests; 4 failures outlast the 3 retries. */
const FAST_RETRIES = { GITHUB_RETRY_BASE_MS: "1" };

type Item = { issue: number; status: string; reason?: string; pullRequest?: { number: number } };

async function jobAfter(inject: (h: Harness) => void, env: Record<string, string> = {}) {
  harness = await startHarness(parentIssueScenario, { env: { ...FAST_RETRIES, ...env } });
  inject(harness);
  const run = await runScenarioJob(harness, parentIssueScenario);
  const items = run.job.workItems as Item[];
  // Whatever happened, no work item outlives its job as `running`.
  expect(items.filter((i) => i.status === "running")).toEqual([]);
  return { ...run, items };
}

describe("an infrastructure error at each step", () => {
  test("reading the issue: the job fails naming GitHub's answer, with no work item", async () => {
    const { job, items } = await jobAfter((h) =>
      h.github.failNext("GET", `/repos/${REPO}/issues/20`, 500, 4)
    );
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/Cannot read issue #20 of .*: GitHub answered 500/);
    expect(items).toEqual([]);
  });

  test("reading the base tree: the job fails naming it, and no sandbox or branch is made", async () => {
    const { job } = await jobAfter((h) => h.github.failNext("GET", `/repos/${REPO}/git/trees/`, 500, 4));
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/GitHub answered 500/);
    // Nothing pushed and no pull request (the work items' progress comments say why they did not run).
    const pushes = harness!.github.requests.filter((r) =>
      r.method !== "GET" && /\/git\/|\/pulls/.test(r.path)
    );
    expect(pushes).toEqual([]);
  });

  test("a missing sandbox image: each work item ends `error` on its own naming the image and the fix, the second is still tried", async () => {
    const { job, items, events } = await jobAfter(() => {}, {
      SANDBOX_IMAGE: "backend-agent/no-such-image:missing",
    });
    expect(job.status).toBe("failed");
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "error"], [23, "error"]]);
    for (const item of items) {
      expect(item.reason).toMatch(
        /sandbox image backend-agent\/no-such-image:missing is missing: .*deno task image/,
      );
    }
    expect(events.some((e) => e.kind === "error" && e.data.issue === 23)).toBe(true);
    expect(harness!.github.pulls(REPO)).toEqual([]);
  });

  test("pushing the first work item: it ends `error`, and the second still gets its PR", async () => {
    const { job, items } = await jobAfter((h) =>
      h.github.failNext("POST", `/repos/${REPO}/git/trees`, 500, 4)
    );
    expect(job.status).toBe("failed");
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "error"], [23, "submitted"]]);
    expect(items[0]!.reason).toMatch(/Cannot create a tree in .*: GitHub answered 500/);
    const pulls = harness!.github.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain("Closes #23");
    expect(String(job.reason)).toMatch(/^#21 error: /);
  });
});
