/** The body of `POST /v1/jobs`, validated. */
import { z } from "@hono/zod-openapi";
import { repoNameSchema } from "./repo_name.ts";
import { followUpCommentSchema, INSTRUCTIONS_MAX } from "../contracts/follow_up_request.ts";

/** `{"repo":"owner/name","issue":12,"base":"main"}`; `base` is optional. Unknown fields are refused. */
export const jobRequestSchema = z.object({
  repo: repoNameSchema("repo").openapi({
    description: "`owner/name`, as GitHub allows them (`.`, `..` and other names GitHub refuses are a 422).",
    example: "acme/task-service",
  }),
  issue: z.number({ error: "issue is required: a positive integer" }).int("issue must be an integer")
    .positive("issue must be positive").openapi({
      description: "A `[dev]` issue, or a parent issue whose `[dev]` sub-issues each get a pull request.",
      example: 12,
    }),
  base: z.string().regex(/^[A-Za-z0-9._\/-]{1,255}$/, "base must be a branch name").optional().openapi({
    description: "Base branch; the repository's default branch when absent.",
    example: "main",
  }),
}).strict().openapi("WorkItemRequest");

/**
 * The body of `POST /v1/jobs`: a work item (`{"repo","issue","base"?}`, {@link jobRequestSchema}) or a
 * follow-up on a pull request the service opened (`{"repo","pull","instructions"}`, with `comment` when a
 * person's comment asked for it: the webhook trigger's request). Exactly one of `issue` and `pull`.
 */
export const submitJobSchema = jobRequestSchema.extend({
  issue: jobRequestSchema.shape.issue.optional(),
  pull: z.number({ error: "pull must be a positive integer" }).int("pull must be an integer")
    .positive("pull must be positive").optional().openapi({
      description:
        "A follow-up: a pull request the service opened, to push new commits onto (instead of `issue`).",
      example: 31,
    }),
  instructions: z.string().min(1, "instructions must not be empty").max(
    INSTRUCTIONS_MAX,
    `instructions must be at most ${INSTRUCTIONS_MAX} characters`,
  ).optional().openapi({
    description: "With `pull`: what to change, in words. Treated as untrusted text.",
    example: "Return 404, not 500, when the task does not exist.",
  }),
  comment: followUpCommentSchema.optional().openapi({
    description: "With `pull`: the comment that asked for it (a review comment is answered in its thread).",
  }),
}).strict().superRefine((body, context) => {
  const problem = (path: string, message: string) =>
    context.addIssue({ code: "custom", path: [path], message });
  if (body.pull === undefined) {
    if (body.issue === undefined) {
      problem("issue", "issue is required: a positive integer (or pull and instructions)");
    }
    for (const name of ["instructions", "comment"] as const) {
      if (body[name] !== undefined) problem(name, `${name} goes with pull, for a follow-up`);
    }
    return;
  }
  if (body.issue !== undefined) {
    problem("pull", "give either issue (a work item) or pull (a follow-up), not both");
  }
  if (body.base !== undefined) {
    problem("base", "a follow-up works on the pull request's own branch; leave base out");
  }
  if (body.instructions === undefined) problem("instructions", "instructions are required with pull");
}).openapi("JobRequest");

/** {@link submitJobSchema}'s type. */
export type SubmitJobBody = z.infer<typeof submitJobSchema>;
