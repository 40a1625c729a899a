/**
 * A follow-up job's starting point: the pull request it works on (open, not merged, the service's own),
 * the work item it implements, the head of its branch as it is now (people's commits included), the
 * review threads and the criteria mapping its body shows. Reads GitHub only; nothing is written here.
 */
import { isOurPullRequest } from "../github/branch_ownership.ts";
import type {
  BaseCommit,
  GitHubGateway,
  Issue,
  PullRequestState,
  RepoRef,
  ReviewComment,
} from "../github/gateway.ts";
import type { FollowUpComment } from "../contracts/follow_up_request.ts";
import type { Job } from "../contracts/job.ts";

/** The most review comments a follow-up shows the model (the newest are kept). */
export const REVIEW_COMMENTS_MAX = 50;
/** The most characters of the pull request body's criteria mapping shown to the model. */
export const MAPPING_MAX_CHARS = 20_000;

/** What a follow-up works from, besides the work item. */
export interface FollowUpContext {
  pull: PullRequestState;
  /** The head of the pull request's branch when the job started: the commit the work builds on. */
  start: BaseCommit;
  /** The review comments shown: the triggering comment's thread, or every thread (oldest first). */
  threads: ReviewComment[];
  /** The body's "Acceptance criteria mapping" section as it stands (untrusted), or "". */
  mapping: string;
  /** What was asked (untrusted). */
  instructions: string;
  /** The comment to answer. */
  comment?: FollowUpComment;
}

/** A follow-up that may start, or why not. */
export type FollowUpStart =
  | { kind: "ready"; item: Issue; base: BaseCommit; context: FollowUpContext }
  | { kind: "refused"; reason: string };

/** The work item a pull request of the service implements: its branch `agent/issue-N-…`, else `Closes #N`. */
export function workItemOf(pull: Pick<PullRequestState, "head" | "body">): number | undefined {
  const branch = /^agent\/issue-(\d+)(?:-|$)/.exec(pull.head.branch)?.[1];
  const closes = /^Closes #(\d+)\s*$/m.exec(pull.body)?.[1];
  const number = Number(branch ?? closes);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/** The body's "## Acceptance criteria mapping" section (up to the next `## ` heading), cut to `max` characters. */
export function criteriaMappingOf(body: string, max: number = MAPPING_MAX_CHARS): string {
  const start = body.indexOf("## Acceptance criteria mapping");
  if (start === -1) return "";
  const from = body.indexOf("\n", start) + 1;
  const end = body.indexOf("\n## ", from);
  return body.slice(from, end === -1 ? undefined : end).trim().slice(0, max);
}

function sameRepo(a: RepoRef, b: RepoRef): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.name.toLowerCase() === b.name.toLowerCase();
}

/** The triggering review comment's thread, or every thread; the newest {@link REVIEW_COMMENTS_MAX} comments. */
function threadsFor(comments: ReviewComment[], comment: FollowUpComment | undefined): ReviewComment[] {
  const asked = comment?.kind === "review_comment" ? comments.find((c) => c.id === comment.id) : undefined;
  const root = asked ? asked.inReplyTo ?? asked.id : undefined;
  const shown = root === undefined ? comments : comments.filter((c) => c.id === root || c.inReplyTo === root);
  return shown.slice(-REVIEW_COMMENTS_MAX);
}

/**
 * Reads what follow-up `job` (one with `pull`) starts from, or why it may not start: the pull request is
 * merged, closed, not the service's (no ownership marker), its branch is not where the service pushes,
 * or its work item cannot be told; a review comment to answer must be one of this pull request's.
 * @throws GitHubError when GitHub cannot be read.
 */
export async function prepareFollowUp(
  github: GitHubGateway,
  repo: RepoRef,
  job: Pick<Job, "pull" | "instructions" | "comment">,
): Promise<FollowUpStart> {
  const number = job.pull!;
  const pull = await github.getPullRequest(repo, number);
  const refuse = (why: string) => ({ kind: "refused" as const, reason: `pull request #${number} ${why}` });
  if (pull.merged) return refuse("is merged; a follow-up works only on an open pull request");
  if (pull.state !== "open") return refuse("is closed; reopen it for a follow-up");
  if (!isOurPullRequest(pull)) {
    return refuse("was not opened by the service; follow-ups work only on its own");
  }
  const headRepo = github.headRepo(repo);
  if (!sameRepo(pull.head.repo, headRepo)) {
    return refuse(
      `comes from ${pull.head.repo.owner}/${pull.head.repo.name}, where the service does not push ` +
        `(it pushes to ${headRepo.owner}/${headRepo.name})`,
    );
  }
  const issue = workItemOf(pull);
  if (issue === undefined) return refuse("names no work item (branch agent/issue-N-… or a Closes #N line)");
  const [item, start, base, comments] = await Promise.all([
    github.getIssue(repo, issue),
    github.resolveBase(headRepo, pull.head.branch),
    github.resolveBase(repo, pull.base),
    github.listReviewComments(repo, number),
  ]);
  if (job.comment?.kind === "review_comment" && !comments.some((c) => c.id === job.comment!.id)) {
    return refuse(`has no review comment ${job.comment.id}`);
  }
  return {
    kind: "ready",
    item,
    base,
    context: {
      pull,
      start,
      threads: threadsFor(comments, job.comment),
      mapping: criteriaMappingOf(pull.body),
      instructions: job.instructions ?? "",
      ...(job.comment ? { comment: job.comment } : {}),
    },
  };
}
