/**
 * The submitter's daily dollar allowance (`QUOTA_USD_PER_DAY`) is checked before every model call
 * through the real pipeline: a work item whose first call could cost more than is left ends
 * `budget_exceeded`, naming the setting, and the model is never called.
 */
import { afterEach, expect, test } from "vitest";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { submitJob } from "./submit_job.ts";

const TITLE = "[dev] Add a power function";
const CRITERION = "`pow2(a, b)` returns `a ** b`";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

test(
  "a work item whose next call could pass the submitter's daily allowance ends before calling the model",
  async () => {
    // A call's worst case at the defaults is above $0.08 (8192 output tokens at $10 per million).
    harness = await startHarness(
      fidelityScenario("daily-quota", [addFunctionScript(TITLE, "pow2", "**", CRITERION)]),
      { env: { QUOTA_USD_PER_DAY: "0.05" } },
    );
    seedFidelityRepo(harness.github, [devIssue(40, TITLE, CRITERION)]);
    const run = await submitJob(harness, { repo: FIDELITY_REPO, issue: 40 });
    expect(run.job.status).toBe("failed");
    expect(run.job.workItems).toEqual([
      expect.objectContaining({
        issue: 40,
        status: "budget_exceeded",
        reason: expect.stringMatching(
          /^Daily budget of anonymous \(QUOTA_USD_PER_DAY=\$0\.05\) would be exceeded: \$0\.0500 left, next call could cost \$0\.0[89]\d+; it renews at 00:00 UTC$/,
        ),
      }),
    ]);
    expect(harness.anthropic!.requests).toHaveLength(0);
    expect(harness.github.pulls(FIDELITY_REPO)).toHaveLength(0);
  },
  120_000,
);
