/**
 * A model that paraphrases the acceptance criteria does not lose its work:
 * the unmapped criterion goes back to it by number and text, it maps it by
 * number, and the PR body holds each criterion's exact text from the issue.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { turn } from "../../examples/scenarios/script_helpers.ts";
import { addFunctionScript, FIDELITY_REPO, fidelityScenario, seedFidelityRepo } from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";

const TITLE = "[dev] Tag items";
const CRITERIA = [
  '`tag(a, b)` returns `{"a": a, "b": b}` for known inputs (e.g. `plumbus`).',
  "ユーザーはタグを削除できる",
];
const BODY = [
  "As a user, I want tags.",
  "",
  "## Acceptance criteria",
  ...CRITERIA.map((c) => `- [ ] ${c}`),
  "",
]
  .join("\n");
const paraphrased = (entries: Array<{ criterion: number | string; evidence: string }>) =>
  turn("submit_work", {
    summary: "Adds tag().",
    api_changes: "None.",
    auth_and_validation: "None.",
    acceptance_criteria: entries,
    follow_ups: "None.",
  });
const base = addFunctionScript(TITLE, "tag", "+", CRITERIA[0]!);
const SCRIPT = {
  match: TITLE,
  turns: [
    ...base.turns.slice(0, -1),
    // The model's own words: neither entry is the issue's text.
    paraphrased([
      { criterion: "tag returns a dict of both inputs", evidence: "app/core.py" },
      { criterion: "ユーザーはタグを作成できる", evidence: "tests/test_core.py" },
    ]),
    paraphrased([
      { criterion: 1, evidence: "app/core.py: tag(); tests/test_core.py::test_tag" },
      { criterion: 2, evidence: "tests/test_core.py::test_tag" },
    ]),
  ],
};

let harness: Harness;
let run: FinishedJob;
beforeAll(async () => {
  harness = await startHarness(fidelityScenario("criteria", [SCRIPT]));
  seedFidelityRepo(harness.github, [{ number: 9, title: TITLE, body: BODY }]);
  run = await submitJob(harness, { repo: FIDELITY_REPO, issue: 9 });
}, 300_000);
afterAll(() => harness?.close());

describe("a model that paraphrases the criteria", () => {
  test("is told which criteria are missing, by number and exact text, and the job succeeds", () => {
    expect(run.job.status, run.job.reason).toBe("succeeded");
    const toModel = JSON.stringify(harness.anthropic!.requests);
    expect(toModel).toContain("Not accepted: map every acceptance criterion by its number");
    expect(toModel).toContain(JSON.stringify(`1. ${CRITERIA[0]}`).slice(1, -1));
    expect(toModel).toContain(`2. ${CRITERIA[1]}`);
  });

  test("the PR body lists each criterion's exact text from the issue with the model's evidence", () => {
    const [pull] = harness.github.pulls(FIDELITY_REPO);
    const mapping = pull!.body.slice(pull!.body.indexOf("## Acceptance criteria mapping"));
    expect(mapping).toContain(`1. ✅ ${CRITERIA[0]}`);
    expect(mapping).toContain("tests/test_core.py::test_tag");
    expect(mapping).toContain(`2. ✅ ${CRITERIA[1]}`);
    expect(mapping).not.toContain("not mapped");
  });
});
