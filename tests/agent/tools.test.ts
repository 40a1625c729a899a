import { describe, expect, it } from "vitest";
import { submissionSchema } from "../../src/contracts/submission.ts";
import { buildTools } from "../../src/agent/tools.ts";
import { bashInputSchema, editorInputSchema } from "../../src/contracts/tools.ts";
import { VALID_SUBMISSION } from "./scripted_turns.ts";

describe("buildTools", () => {
  it("offers Anthropic's bash and text editor tools and our submit_work", () => {
    const tools = buildTools();

    expect(tools.slice(0, 2)).toEqual([
      { type: "bash_20250124", name: "bash" },
      { type: "text_editor_20250728", name: "str_replace_based_edit_tool" },
    ]);
    expect(tools[2]).toMatchObject({ name: "submit_work", input_schema: { type: "object" } });
  });

  it("describes submit_work's input as plain JSON schema with its required fields", () => {
    const submit = buildTools()[2] as { input_schema: Record<string, unknown> };

    expect(submit.input_schema.$schema).toBeUndefined();
    expect(submit.input_schema.required).toEqual([
      "summary",
      "api_changes",
      "auth_and_validation",
      "acceptance_criteria",
    ]);
  });

  it("returns a fresh list each time", () => {
    expect(buildTools()).not.toBe(buildTools());
  });
});

describe("input schemas", () => {
  it("accepts a complete submission, with or without follow-ups", () => {
    expect(submissionSchema.parse(VALID_SUBMISSION)).toEqual(VALID_SUBMISSION);
    expect(submissionSchema.safeParse({ ...VALID_SUBMISSION, follow_ups: "Add rate limits" }).success).toBe(
      true,
    );
  });

  it("rejects a submission with blank fields or no acceptance criteria", () => {
    expect(submissionSchema.safeParse({ ...VALID_SUBMISSION, summary: "  " }).success).toBe(false);
    expect(submissionSchema.safeParse({ ...VALID_SUBMISSION, acceptance_criteria: [] }).success).toBe(false);
    expect(
      submissionSchema.safeParse({ ...VALID_SUBMISSION, acceptance_criteria: [{ criterion: "x" }] }).success,
    ).toBe(false);
  });

  it("wants a command or restart for bash", () => {
    expect(bashInputSchema.safeParse({ command: "ls" }).success).toBe(true);
    expect(bashInputSchema.safeParse({ restart: true }).success).toBe(true);
    expect(bashInputSchema.safeParse({}).success).toBe(false);
    expect(bashInputSchema.safeParse({ command: "  " }).success).toBe(false);
  });

  it("knows the 20250728 editor commands only", () => {
    expect(
      editorInputSchema.safeParse({
        command: "insert",
        path: "/workspace/a",
        insert_line: 0,
        insert_text: "x",
      })
        .success,
    ).toBe(true);
    expect(
      editorInputSchema.safeParse({ command: "view", path: "/workspace/a", view_range: [1, -1] }).success,
    )
      .toBe(true);
    expect(editorInputSchema.safeParse({ command: "undo_edit", path: "/workspace/a" }).success).toBe(false);
    expect(editorInputSchema.safeParse({ command: "view" }).success).toBe(false);
  });
});
