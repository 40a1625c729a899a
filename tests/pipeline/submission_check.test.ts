import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { baseTree } from "../../src/pipeline/base_tree.ts";
import { readChangeSet } from "../../src/pipeline/change_set.ts";
import type { DiffPolicy } from "../../src/pipeline/diff_policy.ts";
import { createSubmissionCheck } from "../../src/pipeline/submission_check.ts";
import { restoreLeftOutPaths } from "../../src/pipeline/workspace_restore.ts";
import { workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import type { EmitJobEvent, NewJobEvent } from "../../src/contracts/job_events.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox, tarOf } from "../sandbox/sandbox_fixture.ts";

const submission = (criteria: Array<string | number>) => ({
  summary: "s",
  api_changes: "a",
  auth_and_validation: "v",
  acceptance_criteria: criteria.map((criterion) => ({ criterion, evidence: "tests" })),
});

const TEST_FILE = "def test_ok() -> None:\n    assert 1 + 1 == 2\n";
/** The base tree the sandbox was seeded with. */
const TREE = baseTree(
  new Map([["tests/test_ok.py", {
    mode: "100644" as const,
    sha: gitBlobSha(new TextEncoder().encode(TEST_FILE)),
  }]]),
  [],
  new Map(),
);
const SEED = { "tests/test_ok.py": TEST_FILE };
const CAPS: DiffPolicy = {
  maxFiles: 3,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 1024 * 1024,
  protectedPaths: [],
};

describe("checking a submission", () => {
  let sandbox: Sandbox;
  /** The check as the pipeline builds it, on this file's sandbox and base tree. */
  function checkFor(criteria: string[], emit: EmitJobEvent = () => Promise.resolve(), policy = CAPS) {
    return createSubmissionCheck(sandbox, {
      criteria,
      testCommand: "python3 -m pytest -q -p no:cacheprovider",
      testTimeoutMs: 60_000,
      readChanges: () => readChangeSet(sandbox, TREE, policy),
      restoreLeftOut: async (paths) =>
        restoreLeftOutPaths(sandbox, { seed: await tarOf(SEED), tree: TREE }, paths),
      emit,
      events: workItemEvents(1),
    });
  }
  const emitted: NewJobEvent[] = [];
  beforeAll(async () => {
    sandbox = await newSandbox(SEED);
  });
  afterAll(() => sandbox?.dispose());

  test("an unmapped criterion is rejected before any test runs; a complete one runs the tests in the sandbox", async () => {
    const check = checkFor(["Counts are returned"], (event) => Promise.resolve(void emitted.push(event)));
    const rejected = await check.verify(submission(["Something else"]));
    expect(rejected).toMatchObject({
      ok: false,
      feedback: expect.stringContaining("\n1. Counts are returned"),
    });
    expect(check.lastTests()).toBeUndefined();
    expect(await check.verify(submission(["Counts are returned"]))).toEqual({ ok: true });
    expect(check.lastTests()).toMatchObject({ passed: 1, failed: 0, exitCode: 0 });
    expect(emitted).toContainEqual(expect.objectContaining({
      kind: "test",
      data: expect.objectContaining({ passed: 1, failed: 0, exitCode: 0 }),
    }));
  });

  test("a change set over its cap goes back to the model naming the setting, before any test runs", async () => {
    const check = checkFor([]);
    await sandbox.bash("for i in 1 2 3 4; do echo $i > gen$i.txt; done");
    const rejected = await check.verify(submission([]));
    expect(rejected).toMatchObject({
      ok: false,
      feedback: expect.stringContaining("over DIFF_MAX_FILES (3)"),
    });
    expect(rejected).not.toHaveProperty("notice");
    expect(check.lastRejection()).toBe("changes");
    expect(check.lastTests()).toBeUndefined();
    await sandbox.bash("rm -f gen3.txt gen4.txt");
    expect(await check.verify(submission([]))).toEqual({ ok: true });
    await sandbox.bash("rm -f gen1.txt gen2.txt");
  });

  test("paths that would not be committed are named once, as a notice; submitting again accepts the rest", async () => {
    const check = checkFor([]);
    await sandbox.run(["ln", "-s", "/etc/passwd", "/workspace/passwd"]);
    await sandbox.run(["python3", "-c", "open('/workspace/ok.txt', 'w').write('ok')"]);
    const notice = await check.verify(submission([]));
    expect(notice).toMatchObject({ ok: false, notice: true });
    expect((notice as { feedback: string }).feedback).toContain("- passwd: symbolic links are not allowed");
    expect(await check.verify(submission([]))).toEqual({ ok: true });
    expect(check.lastTests()).toMatchObject({ exitCode: 0 });
    await sandbox.run(["rm", "-f", "/workspace/passwd", "/workspace/ok.txt"]);
  });

  test("the tests run on what will be committed: a left-out conftest that forces a pass is removed first", async () => {
    const check = checkFor([], undefined, { ...CAPS, protectedPaths: ["**/conftest.py"] });
    await sandbox.bash(
      "printf 'def test_broken():\\n    assert 1 + 1 == 3\\n' > tests/test_broken.py && printf '" +
        "def pytest_collection_modifyitems(items):\\n    for item in items:\\n        item.runtest = lambda: None\\n'" +
        " > tests/conftest.py",
    );
    expect((await sandbox.bash("python3 -m pytest -q -p no:cacheprovider | tail -1")).stdout).toMatch(
      /2 passed/,
    );
    const notice = await check.verify(submission([]));
    expect((notice as { feedback: string }).feedback).toContain(
      "- tests/conftest.py: protected by DIFF_PROTECTED_PATHS",
    );
    const verdict = await check.verify(submission([]));
    expect(verdict).toMatchObject({ ok: false, summary: expect.stringContaining("1 failed") });
    const feedback = (verdict as { feedback: string }).feedback;
    expect(feedback).toContain("FAILED tests/test_broken.py::test_broken");
    expect(feedback).toMatch(
      /were removed or put back to the base tree first:\n- tests\/conftest.py: protected by DIFF_PROTECTED_PATHS/,
    );
    expect(check.lastTests()).toMatchObject({ exitCode: 1, passed: 1, failed: 1 });
    expect(check.restored()).toEqual([{
      path: "tests/conftest.py",
      reason: expect.stringContaining("protected"),
    }]);
    expect((await sandbox.bash("ls tests")).stdout).toBe("test_broken.py\ntest_ok.py\n");
    await sandbox.run(["rm", "-f", "/workspace/tests/test_broken.py"]);
  });
});
