/**
 * Which sub-issues are worked on: sub-issues in another repository and closed
 * ones are skipped and named; a closed `[dev]` issue fails `issue_closed`
 * before any sandbox starts (issue faults 9 and 10).
 */
import { afterEach, describe, expect, test } from "vitest";
import type { ScenarioIssue } from "../../examples/scenario.ts";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { submitJob } from "./submit_job.ts";

const OPEN = devIssue(4, "[dev] Negate a number", "`neg(a, b)` returns `a - b`");
const CLOSED = { ...devIssue(5, "[dev] Divide numbers", "`div` divides"), state: "closed" as const };
const PARENT: ScenarioIssue = {
  number: 3,
  title: "Arithmetic",
  body: "Parent of the arithmetic work.",
  subIssues: [4, 5, "acme/other#3"],
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness(
    fidelityScenario("scope", [addFunctionScript(OPEN.title, "neg", "-", "`neg(a, b)` returns `a - b`")]),
  );
  seedFidelityRepo(harness.github, [OPEN, CLOSED, PARENT]);
  harness.github.addRepo("acme/other", {
    defaultBranch: "main",
    files: new Map([["README.md", new TextEncoder().encode("other\n")]]),
  });
  harness.github.addIssue("acme/other", devIssue(3, "[dev] Something elsewhere", "it works"));
  return harness;
}

describe("the work items of a parent issue", () => {
  test("a sub-issue in another repository and a closed one are skipped and named; the open one gets its PR", async () => {
    const h = await start();
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 3 });
    expect(run.job.status, run.job.reason).toBe("succeeded");
    expect(run.job.workItems.map((w) => [w.issue, w.status]).sort()).toEqual([
      [3, "skipped"],
      [4, "submitted"],
      [5, "skipped"],
    ]);
    const reasons = Object.fromEntries(run.job.workItems.map((w) => [w.issue, w.reason]));
    expect(reasons[3]).toMatch(/^acme\/other#3: .*acme\/other/);
    expect(reasons[5]).toMatch(/^acme\/fidelity#5: .*closed/);
    const skipped = run.events.flatMap((e) => e.kind === "skipped" ? [`${e.data.repo}#${e.data.issue}`] : []);
    expect(skipped).toContain("acme/other#3");
    expect(skipped).toContain("acme/fidelity#5");
    const pulls = h.github.pulls(FIDELITY_REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain("Closes #4");
    expect(pulls[0]!.body).not.toMatch(/Closes #[35]\b/);
    expect(h.github.pulls("acme/other")).toEqual([]);
  });
});

describe("a closed [dev] issue", () => {
  test("fails issue_closed before any sandbox starts or model call is made", async () => {
    const h = await start();
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 5 });
    expect(run.job.status).toBe("failed");
    expect(run.job.reason).toMatch(/^issue_closed: #5 of acme\/fidelity is closed/);
    expect(run.events.some((e) => e.kind === "sandbox")).toBe(false);
    expect(h.anthropic!.requests).toEqual([]);
    expect(h.github.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
