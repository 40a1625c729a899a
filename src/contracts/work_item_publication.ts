/**
 * What a work item published, as the job record keeps it for the dashboard: the pushed change set
 * file by file (status, added and deleted lines, the unified diff against the base tree), the
 * acceptance-criteria mapping as the pull request body shows it, and the verification run with the
 * end of its output. One contract: the pipeline writes it (`pipeline/published_diff.ts`), the store
 * keeps it, `GET /v1/jobs/{id}/work-items/{issue}/changes` serves it. Every text in it came from the
 * sandbox, the model or the issue: untrusted, bounded here, escaped wherever it is shown.
 */
import { z } from "zod";
import { testRunSchema } from "../contracts/test_run.ts";
import { pullRequestRefSchema } from "./job.ts";

/** Most characters of unified diff kept over all of a work item's files; past it, patches are left out. */
export const PATCH_TOTAL_MAX_CHARS = 512 * 1024;

/** Most characters of the criteria mapping kept (the pull request body is at most 65,536). */
export const MAPPING_KEPT_MAX_CHARS = 65_536;

/** One pushed file. */
export const publishedFileSchema = z.object({
  path: z.string().max(4096),
  status: z.enum(["added", "modified", "deleted"]),
  additions: z.number().int().nonnegative().describe("Lines added."),
  deletions: z.number().int().nonnegative().describe("Lines deleted."),
  binary: z.boolean().describe("Not text (a NUL byte or invalid UTF-8): no lines counted or shown."),
  patch: z.string().max(PATCH_TOTAL_MAX_CHARS).describe(
    "The unified diff's hunks (`@@ -a,b +c,d @@` then lines starting with space, `+` or `-`); empty when " +
      "binary or left out (see `patchOmitted`).",
  ),
  patchOmitted: z.string().optional().describe("Why the patch is not shown, when it is not."),
});

/** {@link publishedFileSchema}'s type. */
export type PublishedFile = z.infer<typeof publishedFileSchema>;

/** What one work item published. */
export const workItemPublicationSchema = z.object({
  issue: z.number().int().positive(),
  pullRequest: pullRequestRefSchema,
  /** The commit pushed to the pull request's branch. */
  commitSha: z.string().regex(/^[0-9a-f]{40,64}$/),
  files: z.array(publishedFileSchema),
  criteriaMapping: z.string().max(MAPPING_KEPT_MAX_CHARS).describe(
    "The body's `## Acceptance criteria mapping` section as opened (Markdown, without its heading).",
  ),
  tests: testRunSchema.describe("The verification run the pull request reports, with the end of its output."),
});

/** {@link workItemPublicationSchema}'s type. */
export type WorkItemPublication = z.infer<typeof workItemPublicationSchema>;
