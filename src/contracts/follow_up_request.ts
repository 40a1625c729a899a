/**
 * What makes a job a follow-up on a pull request the service opened: the pull request, the
 * instructions (a person's comment, or the API caller's text), and the comment to answer when it
 * came from one. The API, the webhook trigger and the store all carry this one shape.
 */
import { z } from "zod";

/** The most characters of instructions a follow-up keeps (GitHub's own cap on a comment body). */
export const INSTRUCTIONS_MAX = 65_536;

/**
 * The comment a follow-up answers: a review comment on the diff (answered in its thread), or a
 * conversation comment or review of the pull request (answered with a comment on it).
 */
export const followUpCommentSchema = z.object({
  kind: z.enum(["review_comment", "issue_comment", "review"]),
  id: z.number().int().positive(),
});

/** {@link followUpCommentSchema}'s type. */
export type FollowUpComment = z.infer<typeof followUpCommentSchema>;

/** A follow-up's own fields of a job. */
export const followUpFieldsSchema = z.object({
  pull: z.number().int().positive().describe(
    "A follow-up: the pull request (opened by the service) to push new commits onto.",
  ),
  instructions: z.string().min(1).max(INSTRUCTIONS_MAX).describe(
    "What to change, in words (untrusted text).",
  ),
  comment: followUpCommentSchema.optional().describe(
    "The comment that asked for it, answered when the job ends.",
  ),
});

/** {@link followUpFieldsSchema}'s type. */
export type FollowUpFields = z.infer<typeof followUpFieldsSchema>;
