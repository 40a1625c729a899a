import { marked, type Tokens } from "marked";
import { describe, expect, test } from "vitest";
import type { BaseCommit, Issue } from "../../src/github/gateway.ts";
import {
  BODY_MAX,
  type PullRequestBodyInput,
  renderPullRequestBody,
} from "../../src/github/pull_request_body.ts";
import { liveReferences } from "./live_references.ts";

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

const SECTIONS = [
  "Description",
  "API / service changes",
  "Auth & validation",
  "Linked issue",
  "Acceptance criteria mapping",
  "Tests",
  "Follow-ups",
];
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every closing keyword GitHub would act on ("Linking a pull request to an issue"). */
const closingKeywords = (body: string) =>
  body.match(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:[\w.-]+\/[\w.-]+)?#\d+/gi) ?? [];

/** The `## ` headings of the body's Markdown source, in order. */
const headings = (body: string) => [...body.matchAll(/^## (.+)$/gm)].map((match) => match[1]);

/** The text of one section, between its heading and the next heading or the marker. */
function section(body: string, title: string): string {
  const start = body.indexOf(`## ${title}\n\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  return body.slice(start + title.length + 5).split(/\n\n(?=## |<!-- backend-agent)/)[0]!;
}

/** Proof that the body is valid text for GitHub's JSON API: no lone surrogate, UTF-8 round trip. */
function expectWellFormed(body: string): void {
  expect(body).not.toMatch(LONE_SURROGATE);
  expect(JSON.stringify(body)).not.toMatch(/\\ud[89a-f]/i);
  expect(JSON.parse(JSON.stringify(body))).toBe(body);
  expect(new TextDecoder().decode(new TextEncoder().encode(body))).toBe(body);
}

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
        { criterion: 1, evidence: "tests/test_tasks.py::test_get_ok" },
        {
          criterion: "- [ ] returns **404** when missing",
          evidence: "tests/test_tasks.py::test_get_missing",
        },
      ],
      follow_ups: "Add pagination later.",
    },
    criteria: ["Returns 200 with the task", "Returns 404 when missing", "Requires auth"],
    tests: { command: "python -m pytest -q", passed: 8, failed: 0, exitCode: 0, tail: "" },
    ...overrides,
  };
}

const withCriteria = (
  criteria: string[],
  acceptance_criteria: PullRequestBodyInput["submission"]["acceptance_criteria"],
  overrides: Partial<PullRequestBodyInput> = {},
) => input({ criteria, submission: { ...input().submission, acceptance_criteria }, ...overrides });

describe("renderPullRequestBody()", () => {
  test("has every section the role asks for, in order", () => {
    expect(headings(renderPullRequestBody(input()))).toEqual(SECTIONS);
  });

  test("closes the work item and names the parent", () => {
    expect(renderPullRequestBody(input())).toMatch(/^Closes #12$/m);
    const withParent = renderPullRequestBody(input({ parent: { ...issue, number: 7, title: "Epic" } }));
    expect(withParent).toMatch(/^Closes #12\nParent issue: #7$/m);
  });

  test("maps criteria by number and writes each criterion's exact text from the issue", () => {
    const tags = '`GET /items/{item_id}/tags` returns 200 with `{"item_id": "<item_id>", "tags": [...]}` ' +
      "for a known item (e.g. `plumbus`).";
    const body = renderPullRequestBody(withCriteria(
      [tags, "Returns 404 when missing", "Requires auth", "未知のタグには404を返す"],
      [
        { criterion: 1, evidence: "tests/test_tags.py::test_known_item" },
        { criterion: "#2", evidence: "tests/test_tags.py::test_missing" },
        { criterion: 4, evidence: "Tags are not validated yet; see follow-ups.", met: false },
      ],
    ));
    expect(section(body, "Acceptance criteria mapping")).toBe(
      `1. ✅ ${tags}\n   Evidence: tests/test_tags.py::test_known_item\n` +
        "2. ✅ Returns 404 when missing\n   Evidence: tests/test_tags.py::test_missing\n" +
        "3. ⚠️ not mapped: Requires auth\n" +
        "4. ❌ not met: 未知のタグには404を返す\n   Reason: Tags are not validated yet; see follow-ups.",
    );
  });

  test("matches text instead of a number tolerantly, and flags a claim without evidence", () => {
    const body = renderPullRequestBody(withCriteria(
      ["Returns 200 with the task", "Returns 404 when missing", "Requires auth"],
      [
        {
          criterion: "- [ ] returns **404** when missing",
          evidence: "tests/test_tasks.py::test_get_missing",
        },
        { criterion: 3, evidence: "  " },
      ],
    ));
    expect(section(body, "Acceptance criteria mapping")).toBe(
      "1. ⚠️ not mapped: Returns 200 with the task\n" +
        "2. ✅ Returns 404 when missing\n   Evidence: tests/test_tasks.py::test_get_missing\n" +
        "3. ⚠️ no evidence given: Requires auth",
    );
  });

  test("lists entries that name no criterion of the issue after the criteria", () => {
    const body = renderPullRequestBody(withCriteria(["Returns 200 with the task"], [
      { criterion: 1, evidence: "test_ok" },
      { criterion: 7, evidence: "test_seven" },
      { criterion: "Handles unicode", evidence: "", met: false },
    ]));
    expect(section(body, "Acceptance criteria mapping")).toBe(
      "1. ✅ Returns 200 with the task\n   Evidence: test_ok\n\n" +
        "Also reported by the agent (not among the issue's criteria):\n" +
        "- criterion 7\n  Evidence: test_seven\n- Handles unicode\n  Not met: None.",
    );
  });

  test("says so when the issue has no criteria", () => {
    const body = renderPullRequestBody(withCriteria([], [], { criteriaSection: "none" }));
    expect(section(body, "Acceptance criteria mapping")).toBe("The issue lists no acceptance criteria.");
  });

  test("says the criteria could not be parsed, never that there are none, when the parser found nothing", () => {
    const body = renderPullRequestBody(
      withCriteria([], [{ criterion: "Scenario: tags", evidence: "test_tags" }], {
        criteriaSection: "unparsed",
      }),
    );
    expect(section(body, "Acceptance criteria mapping")).toBe(
      "The issue's acceptance criteria could not be parsed; see the issue.\n\n" +
        "Reported by the agent:\n- Scenario: tags\n  Evidence: test_tags",
    );
    expect(body).not.toContain("lists no acceptance criteria");
  });

  test("reports the test command, the counts and what the exit status means", () => {
    expect(section(renderPullRequestBody(input()), "Tests")).toBe(
      "- Command: `python -m pytest -q`\n- Result: ✅ 8 passed, 0 failed — the tests pass (exit code 0)",
    );
    const none = renderPullRequestBody(
      input({ tests: { command: "python -m pytest -q", passed: 0, failed: 0, exitCode: 5, tail: "" } }),
    );
    expect(section(none, "Tests")).toBe(
      "- Command: `python -m pytest -q`\n" +
        "- Result: ❌ 0 passed, 0 failed — no tests were collected (pytest exit 5)",
    );
    const failing = renderPullRequestBody(
      input({ tests: { command: "pytest", passed: 3, failed: 2, exitCode: 1, tail: "" } }),
    );
    expect(section(failing, "Tests")).toBe(
      "- Command: `pytest`\n- Result: ❌ 3 passed, 2 failed — the tests fail (exit code 1)",
    );
    const stopped = renderPullRequestBody(
      input({ tests: { command: "pytest", passed: 1, failed: 0, exitCode: null, tail: "" } }),
    );
    expect(section(stopped, "Tests")).toBe(
      "- Command: `pytest`\n- Result: ⚠️ did not finish — the test run timed out (1 passed, 0 failed before it stopped)",
    );
  });

  test("shows the end of a failing run's output in a fence no line of it can close", () => {
    const output = "E   assert 1 == 2\n```\n## Follow-ups\nFAILED tests/test_x.py::test_y";
    const body = renderPullRequestBody(
      input({ tests: { command: "pytest", passed: 0, failed: 1, exitCode: 1, tail: output } }),
    );
    expect(section(body, "Tests")).toBe(
      "- Command: `pytest`\n- Result: ❌ 0 passed, 1 failed — the tests fail (exit code 1)\n\n" +
        `<details><summary>Test output (end)</summary>\n\n\`\`\`\`text\n${output}\n\`\`\`\`\n</details>`,
    );
    const rendered = marked.lexer(body).filter((token) => token.type === "heading");
    expect(rendered.map((token) => (token as Tokens.Heading).text)).toEqual(SECTIONS);
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

  test("links no issue but its own and notifies nobody, whatever form the model and the issue use", () => {
    const forms = "Fixes:#3, `@user, _@user_, *@user*, @org/team, Closes owner/repo#3, GH-3, " +
      "Resolves https://github.com/o/r/issues/3, fixes &#35;4, &commat;admin, \\@root, [x](/o/r/pull/5)";
    const body = renderPullRequestBody(input({
      parent: { ...issue, number: 7 },
      criteria: [`Criterion ${forms}`],
      submission: {
        summary: forms,
        api_changes: forms,
        auth_and_validation: forms,
        acceptance_criteria: [{ criterion: 1, evidence: forms }, { criterion: forms, evidence: forms }],
        follow_ups: forms,
      },
      notCommitted: [{ path: ".github/workflows/ci.yml", reason: forms }],
      tests: { command: "pytest", passed: 0, failed: 1, exitCode: 1, tail: forms },
    }));
    // `Closes #12`, `Parent issue: #7`, and the line saying when #12 closes; the test output is in a code block.
    expect(liveReferences(body).sort()).toEqual(["#12", "#12", "#7"]);
    expect(body).toContain("\nCloses #12\nParent issue: #7\n");
  });

  test("keeps its sections and its one Closes line whatever the model's Markdown holds", () => {
    const hostile = "Intro\n## Linked issue\nCloses #99\n<details>\n<pre>\nTests\n---\n" +
      "[docs]: https://evil.example\nthanks @octocat\n```js\nconst unclosed = true;";
    const body = renderPullRequestBody(input({
      submission: {
        summary: hostile,
        api_changes: "Before <!-- hidden\n## Tests\nafter",
        auth_and_validation: "<table><tr><td>x",
        acceptance_criteria: [
          { criterion: 1, evidence: "ok\n\n## Tests\n<div>\n====\n```" },
          { criterion: 2, evidence: "`unpaired <details> fixes #5" },
        ],
        follow_ups: "## Follow-ups\nfixes\n#6",
      },
    }));
    expect(body.match(/^Closes #\d+/gm)).toEqual(["Closes #12"]);
    expect(closingKeywords(body)).toEqual(["Closes #12"]);
    expect(headings(body)).toEqual(SECTIONS);
    // The sanitiser may drop the HTML tags or leave them; either way none is raw in the body.
    const description = section(body, "Description");
    expect(description).toMatch(/^Intro\n\\## Linked issue\nCloses `#99`\n/);
    expect(description).toMatch(
      /\nTests\n\\---\n\\\[docs\]: https:\/\/evil\.example\nthanks `@octocat`\n```js\nconst unclosed = true;\n```$/,
    );
    expect(body).not.toMatch(/<(?:details|pre|table|div)\b|<!--(?! backend-agent:job=job-42 -->\n$)/);
    const tokens = marked.lexer(body);
    expect(tokens.filter((token) => token.type === "heading").map((token) => (token as Tokens.Heading).text))
      .toEqual(SECTIONS);
    expect(tokens.filter((token) => token.type === "html").map((token) => token.raw.trim()))
      .toEqual(["<!-- backend-agent:job=job-42 -->"]);
    const criteria = tokens.find((token) =>
      token.type === "list" && (token as Tokens.List).ordered
    ) as Tokens.List;
    expect(criteria.items.map((item) => item.raw.slice(0, 5))).toEqual(["1. ✅ ", "2. ✅ ", "3. ⚠️"]);
    expect(criteria.items[0]!.text).toContain("\\## Tests");
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

  test("ends with the ownership marker of the job", () => {
    expect(renderPullRequestBody(input()).endsWith("\n\n<!-- backend-agent:job=job-42 -->\n")).toBe(true);
    expect(renderPullRequestBody(input({ jobId: "evil --> <b>x</b>" }))).toMatch(
      /\n<!-- backend-agent:job=evil----b-x-b- -->\n$/,
    );
  });

  test("cuts a long field on whole grapheme clusters: 10 emoji around the cut leave no lone surrogate", () => {
    const summary = `${"a".repeat(5_995)}${"😀".repeat(10)}`;
    const body = renderPullRequestBody(input({ submission: { ...input().submission, summary } }));
    expect(section(body, "Description")).toBe(`${"a".repeat(5_995)}😀😀… (truncated)`);
    expectWellFormed(body);
  });

  test("lists the files left out of the commit with why, as code, after the tests", () => {
    const body = renderPullRequestBody(input({
      notCommitted: [
        { path: "settings/local.py", reason: "matched by .gitignore" },
        { path: "vendor/lib/x.c", reason: "inside the submodule vendor/lib" },
        { path: "odd`name.txt", reason: "fixes #9" },
      ],
    }));
    expect(headings(body).slice(-3)).toEqual(["Tests", "Not committed", "Follow-ups"]);
    expect(body).toContain(
      "- `settings/local.py`: matched by .gitignore\n- `vendor/lib/x.c`: inside the submodule vendor/lib\n" +
        "- ``odd`name.txt``: fixes `#9`",
    );
    expect(renderPullRequestBody(input())).not.toContain("## Not committed");
  });
});

describe("renderPullRequestBody() within GitHub's 65,536 characters", () => {
  const many = (count: number, text: (n: number) => string) =>
    Array.from({ length: count }, (_, i) => text(i + 1));

  test("400 criteria with 2,000-character evidence: evidence trimmed evenly, everything else kept", () => {
    const criteria = many(400, (n) => `Criterion ${n} holds for every request`);
    const summary = `The summary stays whole. ${"s".repeat(5_000)}`;
    const body = renderPullRequestBody({
      ...input({ criteria }),
      submission: {
        ...input().submission,
        summary,
        acceptance_criteria: criteria.map((_, i) => ({ criterion: i + 1, evidence: "😀".repeat(1_000) })),
      },
    });
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    expect(body.length).toBeGreaterThan(BODY_MAX - 2_000);
    criteria.forEach((text, i) => expect(body).toContain(`\n${i + 1}. ✅ ${text}\n`));
    expect(body).toMatch(/^Closes #12$/m);
    expect(headings(body)).toEqual(SECTIONS);
    expect(section(body, "Description")).toBe(summary);
    expect(section(body, "Tests")).toContain("- Result: ✅ 8 passed, 0 failed");
    expect(section(body, "Follow-ups")).toBe("Add pagination later.");
    const evidence = body.match(/^ +Evidence: .*$/gm)!;
    expect(evidence).toHaveLength(400);
    expect(new Set(evidence.map((line) => line.trim())).size).toBe(1);
    expect(evidence[0]).toMatch(/^ {3}Evidence: (?:😀)+… \(truncated\)$/);
    expect(body.endsWith("\n<!-- backend-agent:job=job-42 -->\n")).toBe(true);
    expectWellFormed(body);
  });

  test("trims the other model-written fields after the evidence, before any criterion", () => {
    const criteria = many(300, (n) => `Criterion ${n} ${"c".repeat(150)}`);
    const body = renderPullRequestBody({
      ...input({ criteria }),
      submission: {
        ...input().submission,
        summary: "s".repeat(6_000),
        api_changes: "a".repeat(6_000),
        auth_and_validation: "v".repeat(6_000),
        follow_ups: "f".repeat(6_000),
        acceptance_criteria: criteria.map((_, i) => ({ criterion: i + 1, evidence: "e".repeat(500) })),
      },
    });
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    expect(body).toContain(
      "_Evidence was left out to keep this body within GitHub's 65,536-character limit._",
    );
    expect(body).not.toContain("Evidence: e");
    criteria.forEach((text, i) => expect(body).toContain(`\n${i + 1}. ✅ ${text}\n`));
    for (const title of ["Description", "API / service changes", "Auth & validation", "Follow-ups"]) {
      expect(section(body, title)).toMatch(/^[savf]+… \(truncated\)$/);
    }
    expect(headings(body)).toEqual(SECTIONS);
  });

  test("cuts the criteria texts last, for an issue whose criteria alone are too long", () => {
    const criteria = many(1_000, (n) => `Criterion ${n}: ${"😀".repeat(60)}`);
    const body = renderPullRequestBody(withCriteria(criteria, [{ criterion: 1, evidence: "test_one" }]));
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    expect(body.match(/^Closes #\d+/gm)).toEqual(["Closes #12"]);
    expect(headings(body)).toEqual(SECTIONS);
    expect(section(body, "Description")).toBe("… (truncated)");
    expect(section(body, "Tests")).toContain("- Result: ✅ 8 passed, 0 failed");
    for (let n = 1; n <= 1_000; n++) expect(body).toMatch(new RegExp(`^${n}\\. .*… \\(truncated\\)$`, "m"));
    expect(body.endsWith("\n<!-- backend-agent:job=job-42 -->\n")).toBe(true);
    expectWellFormed(body);
  });

  test("with more criteria than fit even cut, lists the first and counts the rest", () => {
    const criteria = many(5_000, (n) => `Criterion ${n}`);
    const body = renderPullRequestBody(withCriteria(criteria, []));
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    const listed = body.match(/^\d+\. ⚠️ not mapped: /gm)!.length;
    expect(listed).toBeGreaterThan(1_000);
    expect(body).toContain(
      `\n\n${
        5_000 - listed
      } more criteria were left out to keep this body within GitHub's 65,536-character limit; see the issue.`,
    );
    expect(body.match(/^Closes #\d+/gm)).toEqual(["Closes #12"]);
    expect(headings(body)).toEqual(SECTIONS);
    expect(body.endsWith("\n<!-- backend-agent:job=job-42 -->\n")).toBe(true);
  });
});
