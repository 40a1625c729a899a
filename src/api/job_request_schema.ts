/** The body of `POST /v1/jobs`, validated. */
import { z } from "@hono/zod-openapi";
import { repoNameSchema } from "./repo_name.ts";

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
}).strict().openapi("JobRequest");
