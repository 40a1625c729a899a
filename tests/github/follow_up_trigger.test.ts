import { describe, expect, test } from "vitest";
import { asksTheBot } from "../../src/github/follow_up_trigger.ts";
import { criteriaMappingOf, workItemOf } from "../../src/pipeline/follow_up.ts";

describe("what asks the bot for a follow-up", () => {
  test("a mention of the bot's login, with or without [bot], in any case, anywhere in the comment", () => {
    for (
      const body of [
        "@agent-runner please fix",
        "LGTM, but @Agent-Runner: rename it",
        "cc @agent-runner[bot]",
      ]
    ) {
      expect(asksTheBot(body, "agent-runner[bot]"), body).toBe(true);
    }
  });

  test("/agent at the start of the comment", () => {
    expect(asksTheBot("/agent add a test", "agent-runner[bot]")).toBe(true);
    expect(asksTheBot("  /agent\nadd a test", "agent-runner[bot]")).toBe(true);
  });

  test("not: no mention, another login that starts the same, an e-mail address, inline code, /agent mid-text or glued", () => {
    for (
      const body of [
        "Please add a test",
        "@agent-runners please",
        "@agent-runner-2 please",
        "write to ops@agent-runner.example",
        "run `@agent-runner` yourself",
        "I asked /agent already",
        "/agents list",
      ]
    ) {
      expect(asksTheBot(body, "agent-runner[bot]"), body).toBe(false);
    }
  });
});

describe("what a follow-up reads from the service's pull request", () => {
  test("the work item: the branch's issue number, else the Closes line", () => {
    expect(
      workItemOf({ head: { repo: { owner: "a", name: "b" }, branch: "agent/issue-12-stats" }, body: "" }),
    ).toBe(12);
    expect(
      workItemOf({ head: { repo: { owner: "a", name: "b" }, branch: "renamed" }, body: "x\nCloses #7\n" }),
    ).toBe(7);
    expect(
      workItemOf({
        head: { repo: { owner: "a", name: "b" }, branch: "renamed" },
        body: "Closes #7 and more",
      }),
    )
      .toBeUndefined();
  });

  test("the criteria mapping section up to the next heading", () => {
    const body =
      "## Linked issue\n\nCloses #12\n\n## Acceptance criteria mapping\n\n- [x] one: proof\n\n## Tests\n\npassed\n";
    expect(criteriaMappingOf(body)).toBe("- [x] one: proof");
    expect(criteriaMappingOf("## Tests\n")).toBe("");
  });
});
