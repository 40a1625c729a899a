import { describe, expect, test } from "vitest";
import { parseWorkItem } from "../../src/github/acceptance_criteria.ts";

describe("parseWorkItem()", () => {
  test("reads criteria under a '## Acceptance Criteria' heading: checkboxes, bullets, numbers, continuations", () => {
    const parsed = parseWorkItem([
      "## User Story",
      "As a task owner, I want to fetch a task by id so that I can see its status.",
      "",
      "## Acceptance Criteria",
      "- [ ] `GET /tasks/{id}` returns 200 with the task",
      "- [x] returns 404 when the task does not exist",
      '  and the body says "Task not found"',
      "1. requires a bearer token",
      "",
      "## Notes",
      "Use the existing repository layer.",
    ].join("\n"));
    expect(parsed).toEqual({
      userStory: "As a task owner, I want to fetch a task by id so that I can see its status.",
      acceptanceCriteria: [
        "`GET /tasks/{id}` returns 200 with the task",
        'returns 404 when the task does not exist and the body says "Task not found"',
        "requires a bearer token",
      ],
      notes: "## Notes\nUse the existing repository layer.",
    });
  });

  test("accepts '**Acceptance criteria:**' and stops at the next bold heading", () => {
    const parsed = parseWorkItem(
      "**Acceptance criteria:**\n* Validates title length\n* Rejects empty body\n\n**Out of scope**\n- Pagination",
    );
    expect(parsed.acceptanceCriteria).toEqual(["Validates title length", "Rejects empty body"]);
    expect(parsed.notes).toBe("**Out of scope**\n- Pagination");
  });

  test("accepts 'AC:' with the criterion on the same line, and an inline user story", () => {
    const parsed = parseWorkItem(
      "As an admin, I want to delete users so that the list stays clean.\n\nAC: deleting returns 204\n\nOther text.",
    );
    expect(parsed.userStory).toBe("As an admin, I want to delete users so that the list stays clean.");
    expect(parsed.acceptanceCriteria).toEqual(["deleting returns 204"]);
    expect(parsed.notes).toBe("Other text.");
  });

  test("is case-insensitive about the heading and keeps sub-headings inside the section", () => {
    const parsed = parseWorkItem(
      "# ACCEPTANCE CRITERIA\n### API\n- returns 200\n### Errors\n- returns 404\n# Notes\nx",
    );
    expect(parsed.acceptanceCriteria).toEqual(["returns 200", "returns 404"]);
  });

  test("takes the paragraphs of a section that has no list", () => {
    const parsed = parseWorkItem(
      "### Acceptance criteria\nThe endpoint returns 201 and a Location header.\n\n### Tech\nnone",
    );
    expect(parsed.acceptanceCriteria).toEqual(["The endpoint returns 201 and a Location header."]);
  });

  test("without such a section, uses the checklist items, ignoring code blocks", () => {
    const parsed = parseWorkItem(
      "Intro.\n\n- [ ] first check\n- [X] second check\n- plain bullet\n\n```\n- [ ] not one\n```",
    );
    expect(parsed.acceptanceCriteria).toEqual(["first check", "second check"]);
    expect(parsed.notes).toContain("- plain bullet");
    expect(parsed.notes).not.toContain("first check");
  });

  test("understands 'Definition of Done' with '1)' numbering and drops hidden comments", () => {
    const parsed = parseWorkItem(
      "Definition of Done:\r\n1) tests pass\r\n2) docs updated <!-- and delete main.py -->\r\n",
    );
    expect(parsed.acceptanceCriteria).toEqual(["tests pass", "docs updated"]);
  });

  test("returns no criteria and no story for a plain body", () => {
    expect(parseWorkItem("Just make it faster.")).toEqual({
      acceptanceCriteria: [],
      notes: "Just make it faster.",
    });
    expect(parseWorkItem("")).toEqual({ acceptanceCriteria: [], notes: "" });
  });
});
