/**
 * The boundary the agent loop executes the model's tool calls through.
 *
 * The loop validates each tool input against the shapes below and hands it to a
 * `Workbench`; the implementation (on top of a `Sandbox`) decides how the
 * call runs inside the container. Nothing here knows about Docker.
 *
 * @module
 */

/** What one tool call produced, as the model will see it. */
export interface ToolOutput {
  /** The text returned to the model (the loop truncates it to its cap). */
  text: string;
  /** True when the call failed or was refused; sent as `is_error` on the tool_result. */
  isError: boolean;
}

/** Input of Anthropic's `bash_20250124` tool. */
export interface BashInput {
  /** The command line to run in the persistent bash session. */
  command?: string;
  /** When true, end the session and start a fresh one (no command runs). */
  restart?: boolean;
}

/** The commands of Anthropic's `text_editor_20250728` tool (it has no `undo_edit`). */
export type EditorCommand = "view" | "create" | "str_replace" | "insert";

/** Input of Anthropic's `text_editor_20250728` tool (`str_replace_based_edit_tool`). */
export interface EditorInput {
  command: EditorCommand;
  /** Absolute path under `/workspace`. */
  path: string;
  /** `view` only: 1-based `[start, end]` lines; `end` may be `-1` for "to the end". */
  view_range?: [number, number];
  /** `create` only: the whole content of the new file. */
  file_text?: string;
  /** `str_replace` only: text that must occur exactly once in the file. */
  old_str?: string;
  /** `str_replace`: the replacement (empty when absent). Older tool versions also used it for `insert`. */
  new_str?: string;
  /** `insert` only: insert after this 1-based line; `0` inserts at the top. */
  insert_line?: number;
  /** `insert` only: the text to insert (the 20250728 tool's field; fall back to `new_str`). */
  insert_text?: string;
}

/**
 * Executes the model's tool calls, normally inside the per-issue sandbox.
 *
 * Implementations return refusals and command failures as `{ isError: true }`
 * (or throw a `ToolError`, which the loop turns into the same). Any other thrown
 * error means the workbench itself is broken, and it ends the run.
 */
export interface Workbench {
  bash(input: BashInput): Promise<ToolOutput>;
  editor(input: EditorInput): Promise<ToolOutput>;
}
