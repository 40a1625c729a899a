/**
 * The tools the model is given, and the schemas their inputs are checked
 * against before anything runs.
 *
 * `bash` and `str_replace_based_edit_tool` are Anthropic's schema-less tools
 * (the model knows their inputs); `submit_work` is ours and ends the run.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

/** Name of Anthropic's bash tool. */
export const BASH_TOOL = "bash";
/** Name of Anthropic's text editor tool (version `text_editor_20250728`). */
export const EDITOR_TOOL = "str_replace_based_edit_tool";
/** Name of the tool that hands the finished work back. */
export const SUBMIT_TOOL = "submit_work";

/** What the model hands back with `submit_work`; it becomes the PR body. */
export const submissionSchema = z.object({
  summary: z.string().trim().min(1).describe(
    "What was implemented and which issue it addresses, in a few sentences.",
  ),
  api_changes: z.string().trim().min(1).describe(
    "New or changed endpoints, request/response models and main service methods.",
  ),
  auth_and_validation: z.string().trim().min(1).describe(
    "How protected routes, authorization and input validation are handled.",
  ),
  acceptance_criteria: z.array(
    z.object({
      criterion: z.union([z.number().int().min(1), z.string().trim().min(1)]).describe(
        "The criterion's number, as the task lists them (1, 2, …).",
      ),
      met: z.boolean().optional().describe("false when the criterion is not met; default true."),
      evidence: z.string().trim().min(1).describe(
        "Where it is met: endpoint, service method and the test that proves it; or, when not met, why.",
      ),
    }),
  ).min(1).describe("One entry per acceptance criterion of the issue, by number, in the issue's order."),
  follow_ups: z.string().trim().optional().describe(
    "Anything left undone or infeasible, and the follow-up issue it deserves.",
  ),
});

/** A validated `submit_work` input. */
export type Submission = z.infer<typeof submissionSchema>;

/** Checks the `bash` tool's input. */
export const bashInputSchema = z.object({
  command: z.string().optional(),
  restart: z.boolean().optional(),
}).refine((input) => input.restart === true || (input.command ?? "").trim() !== "", {
  message: "Give a non-empty `command`, or `restart: true`.",
});

/** Checks the `str_replace_based_edit_tool` tool's input (20250728: no `undo_edit`). */
export const editorInputSchema = z.object({
  command: z.enum(["view", "create", "str_replace", "insert"]),
  path: z.string().min(1),
  view_range: z.tuple([z.number().int(), z.number().int()]).optional(),
  file_text: z.string().optional(),
  old_str: z.string().optional(),
  new_str: z.string().optional(),
  insert_line: z.number().int().min(0).optional(),
  insert_text: z.string().optional(),
});

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
