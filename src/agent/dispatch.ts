/**
 * Runs one `tool_use` block: checks its input, executes it through the
 * workbench, and turns the outcome into the `tool_result` the model sees.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { type Submission, submissionSchema } from "../contracts/submission.ts";
import { ToolError } from "../errors.ts";
import { bashInputSchema, editorInputSchema, type ToolOutput } from "../contracts/tools.ts";
import { BASH_TOOL, describeInvalidInput, EDITOR_TOOL, SUBMIT_TOOL } from "./tools.ts";
import type { ToolTrace } from "./trajectory.ts";
import type { Workbench } from "./workbench.ts";

/** What running one tool_use block produced. */
export interface Dispatched {
  result: Anthropic.Messages.ToolResultBlockParam;
  trace: ToolTrace;
  /** Set when the block was a valid `submit_work` call. */
  submission?: Submission;
  /**
   * Set when the workbench itself failed (anything but a {@link ToolError}: the sandbox is
   * broken). `trace` then records the call with the error's message; the caller records it and
   * ends the run with `error`. The model is never sent `result` then.
   */
  failure?: { error: unknown };
}

/** Options for {@link dispatchToolUse}. */
export interface DispatchOptions {
  /** Cap on the characters of a tool output sent back to the model. */
  maxOutputChars: number;
  /** Milliseconds since an epoch, used to time the call. Default: `Date.now`. */
  clock?: () => number;
}

/**
 * Cuts `text` to at most about `maxChars`, keeping its head and its tail (where
 * test summaries are) and saying in the middle how much was left out.
 */
export function truncateOutput(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const head = Math.floor(maxChars / 2);
  const tail = maxChars - head;
  const cut = text.length - head - tail;
  const note = `\n[... ${cut} characters cut from the middle of this output; narrow the command ` +
    `(grep, head, tail, view_range) to see them ...]\n`;
  return { text: text.slice(0, head) + note + text.slice(text.length - tail), truncated: true };
}

async function execute(block: Anthropic.Messages.ToolUseBlock, workbench: Workbench): Promise<{
  output: ToolOutput;
  submission?: Submission;
}> {
  const invalid = (error: Parameters<typeof describeInvalidInput>[0]) => ({
    output: { text: `Invalid input for ${block.name}:\n${describeInvalidInput(error)}`, isError: true },
  });
  switch (block.name) {
    case BASH_TOOL: {
      const parsed = bashInputSchema.safeParse(block.input);
      return parsed.success ? { output: await workbench.bash(parsed.data) } : invalid(parsed.error);
    }
    case EDITOR_TOOL: {
      const parsed = editorInputSchema.safeParse(block.input);
      return parsed.success ? { output: await workbench.editor(parsed.data) } : invalid(parsed.error);
    }
    case SUBMIT_TOOL: {
      const parsed = submissionSchema.safeParse(block.input);
      if (!parsed.success) return invalid(parsed.error);
      return { output: { text: "Work submitted.", isError: false }, submission: parsed.data };
    }
    default:
      return {
        output: {
          text: `Unknown tool "${block.name}". Use ${BASH_TOOL}, ${EDITOR_TOOL} or ${SUBMIT_TOOL}.`,
          isError: true,
        },
      };
  }
}

/**
 * Executes one tool_use block through `workbench`.
 *
 * Invalid input, unknown tools and a thrown {@link ToolError} come back as an
 * `is_error` tool_result, so the model can correct itself. Anything else the
 * workbench throws means the sandbox is broken: it comes back as
 * {@link Dispatched.failure}, with a trace naming it, so the trajectory keeps
 * the call that ended the run. Never throws.
 */
export async function dispatchToolUse(
  block: Anthropic.Messages.ToolUseBlock,
  workbench: Workbench,
  options: DispatchOptions,
): Promise<Dispatched> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  let outcome: { output: ToolOutput; submission?: Submission };
  let failure: Dispatched["failure"];
  try {
    outcome = await execute(block, workbench);
  } catch (error) {
    if (!(error instanceof ToolError)) failure = { error };
    outcome = { output: { text: failureText(error), isError: true } };
  }
  const durationMs = clock() - started;
  const { text, truncated } = truncateOutput(outcome.output.text, options.maxOutputChars);
  const isError = outcome.output.isError;
  return {
    result: {
      type: "tool_result",
      tool_use_id: block.id,
      content: text === "" ? "(no output)" : text,
      ...(isError ? { is_error: true } : {}),
    },
    trace: {
      toolUseId: block.id,
      name: block.name,
      input: block.input,
      output: text,
      isError,
      truncated,
      durationMs,
    },
    ...(outcome.submission ? { submission: outcome.submission } : {}),
    ...(failure ? { failure } : {}),
  };
}

/** A ToolError's message is for the model; anything else is named as the sandbox's failure. */
function failureText(error: unknown): string {
  if (error instanceof ToolError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `[the tool could not run, and the run stopped: ${message}]`;
}
