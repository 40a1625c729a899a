/**
 * The verification the PR reports runs on exactly what will be committed.
 * The scripted agent writes a failing test and conftest hooks that make every
 * test pass (a changed base `tests/conftest.py` and a new one), which the
 * diff policy leaves out. Through the real service, Docker and the stand-ins:
 * the agent's own run passes, the host's run fails, the PR is a draft showing
 * the failure and names the left-out conftests, and they are not in the commit.
 */
import { afterEach, describe, expect, test } from "vitest";
import { forcedPassScenario } from "../../examples/scenarios/forced_pass.ts";
import type { RecordedRequest } from "../stand_ins/github_server.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The paths of every `POST /git/trees` request GitHub received. */
function committedPaths(requests: RecordedRequest[]): string[] {
  return requests
    .filter((r) => r.method === "POST" && r.path.endsWith("/git/trees"))
    .flatMap((r) => (r.body as { tree: Array<{ path: string }> }).tree.map((e) => e.path));
}

describe("a left-out conftest that forces a pass", () => {
  test("does not take part in the verification: the PR is a draft showing the failing run and names it", async () => {
    harness = await startHarness(forcedPassScenario, { env: { VERIFY_RETRIES: "0", PR_DRAFT: "false" } });
    const { job, events } = await runScenarioJob(harness, forcedPassScenario);
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/#46 tests_failed: .*exited 1/);
    const requests = JSON.stringify(harness.anthropic!.requests);
    // The attack is real: in the agent's own run, the hooks make every test pass (no "failed" in the summary).
    expect(requests).toMatch(/\[100%\]\\n\d+ passed in /);
    expect(requests).toContain("- tests/conftest.py: protected by DIFF_PROTECTED_PATHS");
    expect(requests).toContain("- tests/routers/conftest.py: protected by DIFF_PROTECTED_PATHS");
    const tests = events.flatMap((e) => e.kind === "test" && e.data.issue === 46 ? [e.data] : []);
    expect(tests.map((t) => [t.exitCode, t.failed])).toEqual([[1, 1]]);
    const prs = harness.github.pulls(forcedPassScenario.repo.fullName);
    expect(prs).toHaveLength(1);
    expect(prs[0]!.draft).toBe(true);
    expect(prs[0]!.body).toMatch(/❌ \d+ passed, 1 failed/);
    expect(prs[0]!.body).toContain("healthy");
    expect(prs[0]!.body).toContain("tests/conftest.py");
    expect(prs[0]!.body).toContain("tests/routers/conftest.py");
    const committed = committedPaths(harness.github.requests);
    expect(committed).toContain("tests/routers/test_health.py");
    expect(committed.filter((p) => p.endsWith("conftest.py"))).toEqual([]);
  });

  test("with PR_ON_FAILING_TESTS=none it opens no PR at all", async () => {
    harness = await startHarness(forcedPassScenario, {
      env: { VERIFY_RETRIES: "0", PR_ON_FAILING_TESTS: "none" },
    });
    const { job, events } = await runScenarioJob(harness, forcedPassScenario);
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(/#46 tests_failed/);
    expect(events.flatMap((e) => e.kind === "test" ? [e.data.exitCode] : [])).toEqual([1]);
    expect(harness.github.pulls(forcedPassScenario.repo.fullName)).toEqual([]);
  });
});
