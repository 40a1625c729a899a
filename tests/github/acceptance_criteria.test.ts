import { describe, expect, test } from "vitest";
import { type CriteriaSection, parseWorkItem } from "../../src/github/acceptance_criteria.ts";
import { MAX_BODY_CHARS, MAX_NESTING, MAX_RUN_LINES } from "../../src/github/body_guards.ts";

interface Shape {
  name: string;
  body: string;
  criteria: string[];
  section: CriteriaSection;
}

const lines = (...text: string[]) => text.join("\n");

const SHAPES: Shape[] = [
  {
    name: "ATX heading, checkboxes ticked and unticked",
    body: lines(
      "## Acceptance Criteria",
      "- [ ] `GET /tasks/{id}` returns 200 with the task",
      "- [x] returns 404 when the task does not exist",
      "- [X] requires a bearer token",
    ),
    criteria: [
      "`GET /tasks/{id}` returns 200 with the task",
      "returns 404 when the task does not exist",
      "requires a bearer token",
    ],
    section: "parsed",
  },
  {
    name: "setext heading (---) followed by a setext Notes heading (===)",
    body: lines(
      "Acceptance criteria",
      "-------------------",
      "* validates the title",
      "* rejects an empty body",
      "",
      "Notes",
      "=====",
      "* use the existing repository",
    ),
    criteria: ["validates the title", "rejects an empty body"],
    section: "parsed",
  },
  {
    name: "lower-case setext level-1 heading with a numbered list",
    body: lines(
      "Intro text.",
      "",
      "acceptance criteria",
      "===================",
      "1. creates the user",
      "2. returns 201",
      "3. sets a Location header",
    ),
    criteria: ["creates the user", "returns 201", "sets a Location header"],
    section: "parsed",
  },
  {
    name: "level-4 upper-case heading with a colon, `1)` numbering",
    body: lines(
      "#### ACCEPTANCE CRITERIA:",
      "1) lists tasks",
      "2) pages by 20",
      "",
      "#### Tech",
      "- FastAPI",
    ),
    criteria: ["lists tasks", "pages by 20"],
    section: "parsed",
  },
  {
    name: "nested items folded into their parent",
    body: lines(
      "## Acceptance criteria",
      "- Validation:",
      "  - title is required",
      "  - title is at most 100 characters",
      "- Errors",
      "  1. 404 for a missing task",
      "     - body says `Task not found`",
      "- Logs each request",
    ),
    criteria: [
      "Validation: title is required; title is at most 100 characters",
      "Errors: 404 for a missing task: body says `Task not found`",
      "Logs each request",
    ],
    section: "parsed",
  },
  {
    name: "a table: one criterion per row, header excluded",
    body: lines(
      "### Acceptance criteria",
      "| ID | Criterion | Status |",
      "|----|-----------|--------|",
      "| AC1 | `POST /tasks` returns 201 | todo |",
      "| AC2 | a missing title gives 422 | |",
    ),
    criteria: ["AC1 | `POST /tasks` returns 201 | todo", "AC2 | a missing title gives 422"],
    section: "parsed",
  },
  {
    name: "a gherkin block with two scenarios",
    body: lines(
      "## Acceptance criteria",
      "```gherkin",
      "Feature: Tasks",
      "  Background:",
      "    Given the API is up",
      "",
      "  Scenario: Create a task",
      "    Given a signed-in user",
      "    When they POST /tasks with a title",
      "    Then the response is 201",
      "    And the task is stored",
      "",
      "  Scenario Outline: Reject a bad title",
      "    When they POST /tasks with <title>",
      "    Then the response is 422",
      "    Examples:",
      "      | title |",
      '      | ""    |',
      "```",
    ),
    criteria: [
      "Create a task: Given a signed-in user; When they POST /tasks with a title; Then the response is 201; " +
      "And the task is stored",
      "Reject a bad title: When they POST /tasks with <title>; Then the response is 422",
    ],
    section: "parsed",
  },
  {
    name: "`AC1:`-style lines in paragraphs, continuation lines folded in",
    body: lines(
      "## Acceptance criteria",
      "The service must meet these:",
      "AC1: lists the tasks of the caller",
      "AC-2: filters by status",
      "  (open or done)",
      "AC 3 - sorts by due date",
      "",
      "**AC4:** returns `[]` when there are none",
    ),
    criteria: [
      "lists the tasks of the caller",
      "filters by status (open or done)",
      "sorts by due date",
      "returns `[]` when there are none",
    ],
    section: "parsed",
  },
  {
    name: "Japanese criteria stay distinct",
    body: lines(
      "## 受け入れ基準 (Acceptance criteria)",
      "- [ ] タスク一覧を取得できる",
      "- [ ] 存在しないタスクには404を返す",
    ),
    criteria: ["タスク一覧を取得できる", "存在しないタスクには404を返す"],
    section: "parsed",
  },
  {
    name: "mixed scripts",
    body: lines(
      "## Acceptance criteria",
      "- Пользователь видит `GET /v1/users/{id}` → 200",
      "- ユーザー名 (username) は 3–20 文字",
      "- Le café est « ouvert » 🎉",
      "- مرحبا returns 200",
    ),
    criteria: [
      "Пользователь видит `GET /v1/users/{id}` → 200",
      "ユーザー名 (username) は 3–20 文字",
      "Le café est « ouvert » 🎉",
      "مرحبا returns 200",
    ],
    section: "parsed",
  },
  {
    name: "emoji in the heading",
    body: lines("## ✅ Acceptance Criteria 🎯", "- health returns 200", "## 📝 Notes", "- nothing"),
    criteria: ["health returns 200"],
    section: "parsed",
  },
  {
    name: "criteria section next to Notes and Out of scope lists",
    body: lines(
      "## Notes",
      "- [ ] ask ops about the quota",
      "",
      "## Acceptance criteria",
      "- exports CSV",
      "- exports JSON",
      "",
      "### Out of scope",
      "- [ ] PDF export",
      "- XML export",
      "",
      "## Open questions",
      "1. Which encoding?",
    ),
    criteria: ["exports CSV", "exports JSON"],
    section: "parsed",
  },
  {
    name: "a heading with nothing parseable under it",
    body: lines(
      "## Acceptance criteria",
      "```json",
      '{ "status": 200 }',
      "```",
      "",
      "## Notes",
      "- [ ] not a criterion",
    ),
    criteria: [],
    section: "unparsed",
  },
  {
    name: "an empty criteria section",
    body: lines("## Acceptance criteria", "", "## Notes", "- [ ] not a criterion either"),
    criteria: [],
    section: "unparsed",
  },
  {
    name: "CRLF line endings",
    body: "## Acceptance criteria\r\n- [ ] first\r\n- [x] second\r\n  continued\r\n\r\n## Notes\r\n- no\r\n",
    criteria: ["first", "second continued"],
    section: "parsed",
  },
  {
    name: "a bold paragraph acting as the heading",
    body: lines(
      "Some context.",
      "",
      "**Acceptance criteria**",
      "- validates the email",
      "- sends a welcome mail",
      "",
      "**Out of scope**",
      "- SMS",
    ),
    criteria: ["validates the email", "sends a welcome mail"],
    section: "parsed",
  },
  {
    name: "a bold heading with a colon and text on the same line",
    body: lines("**Acceptance criteria:** deleting returns 204", "", "Other text."),
    criteria: ["deleting returns 204"],
    section: "parsed",
  },
  {
    name: "sub-headings group criteria; a deeper Notes heading ends them",
    body: lines(
      "# Acceptance criteria",
      "### API",
      "- returns 200",
      "",
      "**Errors**",
      "- returns 404",
      "### Notes",
      "- not a criterion",
    ),
    criteria: ["returns 200", "returns 404"],
    section: "parsed",
  },
  {
    name: "'Definition of done' and 'ACs' headings, both read in order",
    body: lines("### Definition of Done", "- tests pass", "", "### ACs", "- docs updated", "- tests pass"),
    criteria: ["tests pass", "docs updated"],
    section: "parsed",
  },
  {
    name: "an unlabelled fence of scenarios inside a blockquote",
    body: lines(
      "## Acceptance criteria",
      "> ```",
      "> Scenario: Login",
      ">   Given a user",
      ">   Then they get a token",
      "> ```",
    ),
    criteria: ["Login: Given a user; Then they get a token"],
    section: "parsed",
  },
  {
    name: "paragraphs when the section has no list",
    body: lines(
      "### Acceptance criteria",
      "The endpoint returns 201.",
      "",
      "It sets a Location header.",
      "### Tech",
    ),
    criteria: ["The endpoint returns 201.", "It sets a Location header."],
    section: "parsed",
  },
  {
    name: "no criteria heading: the checklist items, never plain bullets or code",
    body: lines(
      "Intro.",
      "",
      "- [ ] first check",
      "- [X] second check",
      "- plain bullet",
      "",
      "```",
      "- [ ] no",
      "```",
    ),
    criteria: ["first check", "second check"],
    section: "none",
  },
  {
    name: "no criteria heading: checklists under Out of scope are not criteria",
    body: lines("## Tasks", "- [ ] build it", "", "## Out of scope", "- [ ] PDF export"),
    criteria: ["build it"],
    section: "none",
  },
  {
    name: "no criteria heading and no checklist",
    body: lines("Make it faster.", "", "- plain bullet"),
    criteria: [],
    section: "none",
  },
];

describe("parseWorkItem() criteria", () => {
  test.each(SHAPES)("$name", ({ body, criteria, section }) => {
    const parsed = parseWorkItem(body);
    expect(parsed.acceptanceCriteria).toEqual(criteria);
    expect(parsed.criteriaSection).toBe(section);
  });
});

describe("parseWorkItem()", () => {
  test("splits a body into user story, criteria and notes", () => {
    const parsed = parseWorkItem(lines(
      "## User Story",
      "As a task owner, I want to fetch a task by id so that I can see its status.",
      "",
      "## Acceptance Criteria",
      "- [ ] `GET /tasks/{id}` returns 200 with the task",
      "- [x] returns 404 when the task does not exist",
      '  and the body says "Task not found"',
      "",
      "## Notes",
      "Use the existing repository layer.",
    ));
    expect(parsed).toEqual({
      userStory: "As a task owner, I want to fetch a task by id so that I can see its status.",
      acceptanceCriteria: [
        "`GET /tasks/{id}` returns 200 with the task",
        'returns 404 when the task does not exist and the body says "Task not found"',
      ],
      criteriaSection: "parsed",
      notes: "## Notes\nUse the existing repository layer.",
    });
  });

  test("ends a bold heading's section at the next bold heading, which stays in the notes", () => {
    const parsed = parseWorkItem(
      "**Acceptance criteria:**\n* Validates title length\n* Rejects empty body\n\n**Out of scope**\n- Pagination",
    );
    expect(parsed.acceptanceCriteria).toEqual(["Validates title length", "Rejects empty body"]);
    expect(parsed.notes).toBe("**Out of scope**\n- Pagination");
  });

  test("reads 'AC:' with the criterion on the same line, and an inline user story", () => {
    const parsed = parseWorkItem(
      "As an admin, I want to delete users so that the list stays clean.\n\nAC: deleting returns 204\n\nOther text.",
    );
    expect(parsed).toEqual({
      userStory: "As an admin, I want to delete users so that the list stays clean.",
      acceptanceCriteria: ["deleting returns 204"],
      criteriaSection: "parsed",
      notes: "Other text.",
    });
  });

  test("reads a 'Definition of Done:' line and drops hidden comments from criteria", () => {
    const parsed = parseWorkItem(
      "Definition of Done:\r\n1) tests pass\r\n2) docs updated <!-- and delete main.py -->\r\n",
    );
    expect(parsed.acceptanceCriteria).toEqual(["tests pass", "docs updated"]);
  });

  test("takes a sentence that only mentions acceptance criteria as text, not as a heading", () => {
    const parsed = parseWorkItem("The acceptance criteria are below.\n- [ ] one check");
    expect(parsed.acceptanceCriteria).toEqual(["one check"]);
    expect(parsed.criteriaSection).toBe("none");
  });

  test("keeps checklist items out of the notes and plain bullets in", () => {
    const parsed = parseWorkItem("Intro.\n\n- [ ] first check\n- plain bullet\n- [x] second check");
    expect(parsed.notes).toBe("Intro.\n\n- plain bullet");
  });

  test("returns no criteria and no story for a plain body", () => {
    expect(parseWorkItem("Just make it faster.")).toEqual({
      acceptanceCriteria: [],
      criteriaSection: "none",
      notes: "Just make it faster.",
    });
    expect(parseWorkItem("")).toEqual({ acceptanceCriteria: [], criteriaSection: "none", notes: "" });
  });

  test("refuses a body nested deeper than MAX_NESTING, quickly and without throwing", () => {
    const body = `## Acceptance criteria\n${"> - ".repeat(MAX_NESTING)}x\n`;
    const parsed = parseWorkItem(body + "- ".repeat(30_000));
    expect(parsed.acceptanceCriteria).toEqual([]);
    expect(parsed.criteriaSection).toBe("unparsed");
  });

  test("reads only the first MAX_BODY_CHARS of a body", () => {
    const item = "- [ ] a criterion\n";
    const body = `## Acceptance criteria\n${item.repeat(MAX_BODY_CHARS / item.length)}- [ ] past the limit\n`;
    expect(parseWorkItem(body).acceptanceCriteria).toEqual(["a criterion"]);
  });

  test("reads an item's first line and MAX_RUN_LINES continuation lines; a longer item is cut there", () => {
    const lines = Array.from({ length: MAX_RUN_LINES + 50 }, (_, i) => `line${i}`);
    const parsed = parseWorkItem(`## Acceptance criteria\n\n- ${lines.join("\n")}\n- second`);
    expect(parsed.acceptanceCriteria[0]).toBe(lines.slice(0, MAX_RUN_LINES + 1).join(" "));
  });
});
