import { describe, expect, test } from "vitest";
import { type PullRequestBodyInput, renderPullRequestBody } from "../../src/github/pull_request_body.ts";

const issue = {
  number: 12,
  title: "[dev] Add GET /tasks/{id}",
  body: "",
  url: "https://github.test/acme/tasks/issues/12",
};

function input(overrides: Partial<PullRequestBodyInput> = {}): PullRequestBodyInput {
  return {
    issue,
    submission: {
      summary: "Adds the endpoint.",
      api_changes: "New `GET /tasks/{id}`.",
      auth_and_validation: "Requires a bearer token; id must be a positive int.",
      acceptance_criteria: [
        { criterion: "Returns 200 with the task.", evidence: "tests/test_tasks.py::test_get_ok" },
        {
          criterion: "- [ ] returns **404** when missing",
          evidence: "tests/test_tasks.py::test_get_missing",
        },
      ],
      follow_ups: "Add pagination later.",
    },
    criteria: ["Returns 200 with the task", "Returns 404 when missing", "Requires auth"],
    tests: { command: "python -m pytest -q", passed: 8, failed: 0, exitCode: 0 },
    ...overrides,
  };
}

describe("renderPullRequestBody()", () => {
  test("has every section the role asks for, in order", () => {
    const body = renderPullRequestBody(input());
    const headings = [...body.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual([
      "Description",
      "API / service changes",
      "Auth & validation",
      "Linked issue",
      "Acceptance criteria mapping",
      "Tests",
      "Follow-ups",
    ]);
  });

  test("closes the work item and names the parent", () => {
    expect(renderPullRequestBody(input())).toMatch(/^Closes #12$/m);
    const withParent = renderPullRequestBody(input({ parent: { ...issue, number: 7, title: "Epic" } }));
    expect(withParent).toMatch(/^Closes #12\nParent issue: #7$/m);
  });

  test("lists every criterion from the issue, maps evidence by normalised text and flags the unmapped", () => {
    const body = renderPullRequestBody(input());
    expect(body).toContain("- ✅ Returns 200 with the task\n  Evidence: tests/test_tasks.py::test_get_ok");
    expect(body).toContain(
      "- ✅ Returns 404 when missing\n  Evidence: tests/test_tasks.py::test_get_missing",
    );
    expect(body).toContain("- ⚠️ not mapped: Requires auth");
  });

  test("keeps criteria the model added that the issue does not have, separately", () => {
    const body = renderPullRequestBody(input({ criteria: ["Returns 200 with the task"] }));
    expect(body).toContain("Also reported by the agent");
    expect(body).toContain("returns **404** when missing");
  });

  test("says so when the issue has no criteria", () => {
    expect(renderPullRequestBody(input({ criteria: [] }))).toContain(
      "The issue lists no acceptance criteria.",
    );
  });

  test("reports the test command and counts", () => {
    expect(renderPullRequestBody(input())).toContain(
      "- Command: `python -m pytest -q`\n- Result: ✅ 8 passed, 0 failed (exit code 0)",
    );
    const failing = renderPullRequestBody(
      input({ tests: { command: "pytest", passed: 3, failed: 2, exitCode: 1 } }),
    );
    expect(failing).toContain("❌ 3 passed, 2 failed (exit code 1)");
    const stopped = renderPullRequestBody(
      input({ tests: { command: "pytest", passed: 1, failed: 0, exitCode: null } }),
    );
    expect(stopped).toContain("⚠️ did not finish");
  });

  test("defuses closing keywords and mentions in model text, and strips hidden content", () => {
    const body = renderPullRequestBody(input({
      submission: {
        ...input().submission,
        summary: "Fixes #3 and resolves acme/other#4, thanks @octocat <!-- hidden -->",
        follow_ups: undefined,
      },
    }));
    expect(body).toContain("Fixes `#3` and resolves `acme/other#4`, thanks `@octocat`");
    expect(body).not.toContain("hidden");
    expect(body).toMatch(/## Follow-ups\n\nNone\.\n$/);
    expect(body.match(/Closes #\d+/g)).toEqual(["Closes #12"]);
  });
});
