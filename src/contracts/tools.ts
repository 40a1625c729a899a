/**
 * The tool calls' inputs and outputs: checked by the agent loop
 * (`agent/dispatch.ts`) before anything runs, executed by the sandbox's
 * workbench (`sandbox/workbench.ts`, `sandbox/editor.ts`). One contract for
 * both sides.
 *
 * @module
 */
import { z } from "zod";

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
