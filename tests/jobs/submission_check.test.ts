import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSubmissionCheck, unmapped } from "../../src/jobs/submission_check.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "../sandbox/sandbox_fixture.ts";

const submission = (criteria: string[]) => ({
  summary: "s",
  api_changes: "a",
  auth_and_validation: "v",
  acceptance_criteria: criteria.map((criterion) => ({ criterion, evidence: "tests" })),
});

describe("checking a submission", () => {
  let sandbox: Sandbox;
  const lines: string[] = [];
  beforeAll(async () => {
    sandbox = await newSandbox({
      "tests/test_ok.py": "def test_ok() -> None:\n    assert 1 + 1 == 2\n",
    });
  });
  afterAll(() => sandbox?.dispose());

  test("criteria match ignoring case, spacing and punctuation; the missing ones are named", () => {
    const criteria = ["`GET /v1/stats` returns counts", "Requires a valid token (401 otherwise)"];
    expect(unmapped(criteria, submission(["get /v1/stats returns counts"]))).toEqual([criteria[1]]);
    expect(
      unmapped(
        criteria,
        submission(["GET /v1/stats returns counts.", "requires a valid token, 401 otherwise"]),
      ),
    )
      .toEqual([]);
  });

  test("an unmapped criterion is rejected before any test runs; a complete one runs the tests in the sandbox", async () => {
    const check = createSubmissionCheck(sandbox, {
      criteria: ["Counts are returned"],
      testCommand: "python3 -m pytest -q -p no:cacheprovider",
      testTimeoutMs: 60_000,
      say: (kind, message) => Promise.resolve(void lines.push(`${kind} ${message}`)),
    });
    const rejected = await check.verify(submission(["Something else"]));
    expect(rejected).toMatchObject({ ok: false, feedback: expect.stringContaining("- Counts are returned") });
    expect(check.lastTests()).toBeUndefined();
    expect(await check.verify(submission(["Counts are returned"]))).toEqual({ ok: true });
    expect(check.lastTests()).toMatchObject({ passed: 1, failed: 0, exitCode: 0 });
    expect(lines).toContain("test 1 passed, 0 failed (exit 0)");
  });
});
