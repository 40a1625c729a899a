/**
 * What the model hands back with `submit_work`: checked against this schema
 * when the tool is called (`agent/tools.ts`), judged by the submission check
 * (`pipeline/submission_check.ts`), rendered into the PR body
 * (`github/pull_request_body.ts`). One contract for all three.
 */
import { z } from "zod";

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
