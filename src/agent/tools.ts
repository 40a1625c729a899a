/**
 * The tools the model is given, and the schemas their inputs are checked
 * against before anything runs.
 *
 * `bash` and `str_replace_based_edit_tool` are Anthropic's schema-less tools
 * (the model knows their inputs); `submit_work` is ours and ends the run.
 * Every tool answers with a {@link ToolOutput}.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { submissionSchema } from "../contracts/submission.ts";

/** Name of Anthropic's bash tool. */
export const BASH_TOOL = "bash";
/** Name of Anthropic's text editor tool (version `text_editor_20250728`). */
export const EDITOR_TOOL = "str_replace_based_edit_tool";
/** Name of the tool that hands the finished work back. */
export const SUBMIT_TOOL = "submit_work";

/** Input of Anthropic's `bash_20250124` tool: a non-empty `command`, or `restart: true`. */
export const bashInputSchema = z.object({
  /** The command line to run in the persistent bash session. */
  command: z.string().optional(),
  /** When true, end the session and start a fresh one (no command runs). */
  restart: z.boolean().optional(),
}).refine((input) => input.restart === true || (input.command ?? "").trim() !== "", {
  message: "Give a non-empty `command`, or `restart: true`.",
});

/** A validated `bash` tool input. */
export type BashInput = z.infer<typeof bashInputSchema>;

/**
 * Input of Anthropic's `text_editor_20250728` tool (`str_replace_based_edit_tool`); that version has no
 * `undo_edit`. The contract for editor input wherever it travels, the sandbox's editor included.
 */
export const editorInputSchema = z.object({
  command: z.enum(["view", "create", "str_replace", "insert"]),
  /** Absolute path under `/workspace`. */
  path: z.string().min(1),
  /** `view` only: 1-based `[start, end]` lines; `end` may be `-1` for "to the end". */
  view_range: z.tuple([z.number().int(), z.number().int()]).optional(),
  /** `create` only: the whole content of the new file. */
  file_text: z.string().optional(),
  /** `str_replace` only: text that must occur exactly once in the file. */
  old_str: z.string().optional(),
  /** `str_replace`: the replacement (empty when absent). Older tool versions also used it for `insert`. */
  new_str: z.string().optional(),
  /** `insert` only: insert after this 1-based line; `0` inserts at the top. */
  insert_line: z.number().int().min(0).optional(),
  /** `insert` only: the text to insert (the 20250728 tool's field; fall back to `new_str`). */
  insert_text: z.string().optional(),
});

/** A validated editor tool input. */
export type EditorInput = z.infer<typeof editorInputSchema>;

/** What one tool call produced, as the model will see it: the contract for every tool's output. */
export const toolOutputSchema = z.object({
  /** The text returned to the model (the loop truncates it to its cap). */
  text: z.string(),
  /** True when the call failed or was refused; sent as `is_error` on the tool_result. */
  isError: z.boolean(),
});

/** What one tool call produced; see {@link toolOutputSchema}. */
export type ToolOutput = z.infer<typeof toolOutputSchema>;

const submitInputSchema = (() => {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(submissionSchema);
  return schema as Anthropic.Messages.Tool.InputSchema;
})();

/**
 * Builds the tool list sent with every request: bash, the text editor and
 * `submit_work`, in that order. Returns a fresh array each call, so the caller
 * may add `cache_control` to the last entry.
 */
export function buildTools(): Anthropic.Messages.ToolUnion[] {
  return [
    { type: "bash_20250124", name: BASH_TOOL },
    { type: "text_editor_20250728", name: EDITOR_TOOL },
    {
      name: SUBMIT_TOOL,
      description: "Hand back the finished work item. Call it once, after the tests pass, with every " +
        "acceptance criterion mapped to the code and test that meet it. The run ends when the input is valid.",
      input_schema: submitInputSchema,
    },
  ];
}

/** Formats a zod failure as a short list the model can act on. */
export function describeInvalidInput(error: z.ZodError): string {
  return z.prettifyError(error);
}
