import { describe, expect, test } from "vitest";
import type { BaseCommit, Issue } from "../../src/github/gateway.ts";
import { type PullRequestBodyInput, renderPullRequestBody } from "../../src/github/pull_request_body.ts";

const repo = { owner: "acme", name: "tasks" };
const issue: Issue = {
  number: 12,
  title: "[dev] Add GET /tasks/{id}",
  body: "",
  url: "https://github.test/acme/tasks/issues/12",
  state: "open",
  repo,
};
const base: BaseCommit = {
  branch: "main",
  sha: "a".repeat(40),
  treeSha: "b".repeat(40),
  defaultBranch: "main",
};

/** Every closing keyword GitHub would act on ("Linking a pull request to an issue"). */
const closingKeywords = (body: string) =>
  body.match(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:[\w.-]+\/[\w.-]+)?#\d+/gi) ?? [];

function input(overrides: Partial<PullRequestBodyInput> = {}): PullRequestBodyInput {
  return {
    repo,
    base,
    jobId: "job-42",
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
    expect(body).toMatch(/## Follow-ups\n\nNone\.\n\n<!-- backend-agent:job=job-42 -->\n$/);
    expect(closingKeywords(body)).toEqual(["Closes #12"]);
  });

  test("says the issue closes only on a merge into the default branch, and names it", () => {
    const body = renderPullRequestBody(input());
    expect(body).toContain(
      "Closes #12\n\nIssue #12 is closed automatically only when this pull request is merged into the " +
        "default branch, `main`.",
    );
  });

  test("says plainly that merging into another base will not close the issue", () => {
    const body = renderPullRequestBody(input({ base: { ...base, branch: "release/1.2" } }));
    expect(body).toContain(
      "This pull request merges into `release/1.2`, not the default branch `main`: merging it will not " +
        "close issue #12.",
    );
    expect(closingKeywords(body)).toEqual(["Closes #12"]);
  });

  test("names issues of another repository as owner/name#N, never as a bare #N", () => {
    const elsewhere = { ...issue, number: 3, repo: { owner: "acme", name: "other" } };
    const parent = { ...issue, number: 7, repo: { owner: "acme", name: "planning" } };
    const body = renderPullRequestBody(input({ issue: elsewhere, parent }));
    expect(body).toMatch(/^Closes acme\/other#3\nParent issue: acme\/planning#7$/m);
    expect(body).not.toMatch(/(?<![\w/])#3\b/);
    expect(closingKeywords(body)).toEqual(["Closes acme/other#3"]);
  });

  test("ends with the ownership marker of the job, even when the body is truncated", () => {
    expect(renderPullRequestBody(input()).endsWith("\n<!-- backend-agent:job=job-42 -->\n")).toBe(true);
    const long = "x".repeat(5_000);
    const huge = renderPullRequestBody(input({
      submission: {
        ...input().submission,
        acceptance_criteria: Array.from(
          { length: 30 },
          (_, n) => ({ criterion: `c${n} ${long}`, evidence: long }),
        ),
      },
    }));
    expect(huge).toContain("… (truncated)\n\n<!-- backend-agent:job=job-42 -->\n");
    expect(huge.endsWith("<!-- backend-agent:job=job-42 -->\n")).toBe(true);
    expect(renderPullRequestBody(input({ jobId: "evil --> <b>x</b>" }))).toMatch(
      /\n<!-- backend-agent:job=evil----b-x-b- -->\n$/,
    );
  });

  test("lists the files left out of the commit with why, as code, after the tests", () => {
    const body = renderPullRequestBody(input({
      notCommitted: [
        { path: "settings/local.py", reason: "matched by .gitignore" },
        { path: "vendor/lib/x.c", reason: "inside the submodule vendor/lib" },
        { path: "odd`name.txt", reason: "fixes #9" },
      ],
    }));
    const headings = [...body.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings.slice(-3)).toEqual(["Tests", "Not committed", "Follow-ups"]);
    expect(body).toContain(
      "- `settings/local.py`: matched by .gitignore\n- `vendor/lib/x.c`: inside the submodule vendor/lib\n" +
        "- ``odd`name.txt``: fixes `#9`",
    );
    expect(renderPullRequestBody(input())).not.toContain("## Not committed");
  });
});
