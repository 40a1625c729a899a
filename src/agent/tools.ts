/**
 * The tools the model is given, and the schemas their inputs are checked
 * against before anything runs.
 *
 * `bash` and `str_replace_based_edit_tool` are Anthropic's schema-less tools
 * (the model knows their inputs); `submit_work` is ours and ends the run.
 * Inputs and outputs are the contract in `contracts/tools.ts`.
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
