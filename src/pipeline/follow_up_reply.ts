/**
 * The follow-up's answer on its pull request: what changed (the new commit, the files, the test
 * result and the model's summary, defused so it cannot ping anyone or close an issue). A review
 * comment is answered in its thread; a conversation comment, a review or an API request with a
 * comment on the pull request.
 */
import type { TestRun } from "../contracts/test_run.ts";
import type { GitHubGateway, RepoRef } from "../github/gateway.ts";
import { codeSpan, markdownField } from "../github/markdown_field.ts";
import { sanitizeUntrusted } from "../github/sanitize.ts";
import type { FollowUpContext } from "./follow_up.ts";

/** The most files named in a reply. */
export const REPLY_FILES_MAX = 20;
/** The most characters of the model's summary in a reply. */
export const REPLY_SUMMARY_MAX = 2_000;

/** What the follow-up pushed. */
export interface FollowUpChange {
  commitSha: string;
  /** Paths of the changed files. */
  files: string[];
  tests: TestRun;
  /** The model's summary of its change (untrusted). */
  summary: string;
}

/** The reply's Markdown. */
export function followUpReplyText(followUp: FollowUpContext, change: FollowUpChange): string {
  const files = change.files.slice(0, REPLY_FILES_MAX).map((path) => codeSpan(sanitizeUntrusted(path)));
  const more = change.files.length - files.length;
  const { passed, failed, exitCode } = change.tests;
  const tests = exitCode === 0 && failed === 0
    ? `Tests pass (${passed} passed).`
    : `Tests do not pass (${passed} passed, ${failed} failed, exit ${
      exitCode ?? "killed"
    }); see the pull request body.`;
  const summary = sanitizeUntrusted(change.summary.slice(0, REPLY_SUMMARY_MAX * 4)).trim();
  return [
    `Pushed ${change.commitSha.slice(0, 7)} onto ${codeSpan(followUp.start.branch)}, on top of ` +
    `${followUp.start.sha.slice(0, 7)}: ${files.join(", ")}${more > 0 ? ` and ${more} more` : ""}. ${tests}`,
    ...(summary === "" ? [] : [markdownField(summary, REPLY_SUMMARY_MAX)]),
  ].join("\n\n");
}

/**
 * Posts the reply: in the thread of the review comment that asked, else as a comment on the pull request.
 * Permissions: pull requests (write) for a thread reply, issues (write) for a comment.
 * @throws GitHubError when GitHub refuses it.
 */
export async function replyToFollowUp(
  github: GitHubGateway,
  repo: RepoRef,
  followUp: FollowUpContext,
  change: FollowUpChange,
): Promise<void> {
  const text = followUpReplyText(followUp, change);
  if (followUp.comment?.kind === "review_comment") {
    await github.replyToReviewComment(repo, followUp.pull.number, followUp.comment.id, text);
  } else {
    await github.createIssueComment(repo, followUp.pull.number, text);
  }
}
