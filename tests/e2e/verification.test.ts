import { afterEach, describe, expect, test } from "vitest";
import { fixesAfterFeedbackScenario, neverFixesScenario } from "../../examples/scenarios/verification.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("verification after submit_work", () => {
  test("failing tests go back to the model, which fixes them; the PR shows the passing run", async () => {
    harness = await startHarness(fixesAfterFeedbackScenario);
    const { job, events } = await runScenarioJob(harness, fixesAfterFeedbackScenario);
    expect(job.status, String(job.reason)).toBe("succeeded");
    const exits = events.flatMap((e) => e.kind === "test" && e.data.issue === 44 ? [e.data.exitCode] : []);
    expect(exits).toEqual([1, 0]);
    const feedback = JSON.stringify(harness.anthropic!.requests.at(-1));
    expect(feedback).toContain("Not accepted: the tests fail");
    expect(feedback).toContain("healthy");
    const pr = harness.github.pulls(fixesAfterFeedbackScenario.repo.fullName)[0]!;
    expect(pr.body).toMatch(/✅ \d+ passed, 0 failed/);
  });

  test("tests that still fail after the allowed retries open a draft PR that shows the failure", async () => {
    harness = await startHarness(neverFixesScenario, { env: { PR_DRAFT: "false", VERIFY_RETRIES: "2" } });
    const { job, events } = await runScenarioJob(harness, neverFixesScenario);
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/#45 tests_failed: .*exited 1/);
    expect(events.filter((e) => e.kind === "test" && e.data.issue === 45)).toHaveLength(3);
    const prs = harness.github.pulls(neverFixesScenario.repo.fullName);
    expect(prs).toHaveLength(1);
    expect(prs[0]!.draft).toBe(true);
    expect(prs[0]!.body).toMatch(/❌ \d+ passed, 1 failed/);
    expect(prs[0]!.body).toContain("Test output");
    expect(job.pullRequests).toHaveLength(1);
  });

  test("with PR_ON_FAILING_TESTS=none, failing tests open no PR at all", async () => {
    harness = await startHarness(neverFixesScenario, {
      env: { PR_ON_FAILING_TESTS: "none", VERIFY_RETRIES: "0" },
    });
    const { job } = await runScenarioJob(harness, neverFixesScenario);
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/#45 tests_failed/);
    expect(harness.github.pulls(neverFixesScenario.repo.fullName)).toEqual([]);
  });
});
