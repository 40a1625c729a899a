/** The body of `POST /v1/jobs`, validated. */
import { z } from "zod";

/** `{"repo":"owner/name","issue":12,"base":"main"}`; `base` is optional. */
export const jobRequestSchema = z.object({
  repo: z.string({ error: 'repo is required: "owner/name"' }).regex(
    /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/,
    'repo must look like "owner/name"',
  ),
  issue: z.number({ error: "issue is required: a positive integer" }).int("issue must be an integer")
    .positive(
      "issue must be positive",
    ),
  base: z.string().regex(/^[A-Za-z0-9._\/-]{1,255}$/, "base must be a branch name").optional(),
}).strict();
