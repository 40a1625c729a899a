/**
 * Whether a comment on a pull request starts a follow-up job, and the job request if it does. The
 * webhook trigger calls {@link followUpFromComment} for pull request review comments, reviews and
 * pull request conversation comments, once it has checked that the sender may write to the repository.
 *
 * Only an explicit ask starts one (products that acted on every remark were asked to stop): the
 * comment mentions the bot (`@<bot-login>`, with or without GitHub's `[bot]` suffix) or starts with
 * `/agent`. And only on a pull request that is open, not merged, and the service's own (the ownership
 * marker of `branch_ownership.ts` in its body).
 */
import type { FollowUpComment } from "../contracts/follow_up_request.ts";
import { INSTRUCTIONS_MAX } from "../contracts/follow_up_request.ts";
import type { JobRequest } from "../contracts/job.ts";
import { isOurPullRequest } from "./branch_ownership.ts";
import type { GitHubGateway, RepoRef } from "./gateway.ts";

/** A comment on a pull request, as a webhook delivers it. */
export interface PullRequestComment extends FollowUpComment {
  /** The comment's text (a review's body for a review). */
  body: string;
  /** Login of its author. */
  author: string;
}

/** What {@link followUpFromComment} decided: the job to submit, or why none. */
export type FollowUpDecision =
  | { kind: "start"; request: JobRequest & Required<Pick<JobRequest, "pull" | "instructions">> }
  | { kind: "ignore"; reason: string };

/** `name` and `name[bot]` of a GitHub App's bot login, without `@`, lower case. */
function botNames(botLogin: string): string[] {
  const name = botLogin.replace(/^@/, "").replace(/\[bot\]$/i, "").toLowerCase();
  return [name, `${name}[bot]`];
}

/**
 * Whether `body` asks the bot: it starts with `/agent` (a word of its own) or mentions `@<bot-login>`
 * as GitHub reads a mention (not inside a word or an e-mail address, not followed by more login characters).
 */
export function asksTheBot(body: string, botLogin: string): boolean {
  if (/^\s*\/agent(?![\w-])/i.test(body)) return true;
  const names = new Set(botNames(botLogin));
  for (const match of body.matchAll(/(?<![\w`@.])@([A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\[bot\])?)(?![\w-])/gi)) {
    if (names.has(match[1]!.toLowerCase())) return true;
  }
  return false;
}

/**
 * Decides whether `comment` on pull request `pull` of `repo` starts a follow-up, and builds its job
 * request (`{repo, issue: pull, pull, instructions, comment}`, as `POST /v1/jobs` takes it).
 * Ignored, with the reason: the bot's own comments, comments that do not ask the bot, pull requests
 * that are closed or merged, and pull requests without the service's ownership marker.
 * Reads the pull request (pull requests: read). Does not check the author's permission: the caller does.
 * @throws GitHubError when the pull request cannot be read.
 */
export async function followUpFromComment(
  github: GitHubGateway,
  input: { repo: RepoRef; pull: number; comment: PullRequestComment; botLogin: string },
): Promise<FollowUpDecision> {
  const { repo, pull, comment, botLogin } = input;
  if (botNames(botLogin).includes(comment.author.toLowerCase())) {
    return { kind: "ignore", reason: "the comment is the service's own" };
  }
  if (!asksTheBot(comment.body, botLogin)) {
    return {
      kind: "ignore",
      reason: `the comment neither mentions @${botNames(botLogin)[0]} nor starts with /agent`,
    };
  }
  const pr = await github.getPullRequest(repo, pull);
  if (pr.merged) return { kind: "ignore", reason: `pull request #${pull} is merged` };
  if (pr.state !== "open") return { kind: "ignore", reason: `pull request #${pull} is closed` };
  if (!isOurPullRequest(pr)) {
    return { kind: "ignore", reason: `pull request #${pull} was not opened by the service` };
  }
  return {
    kind: "start",
    request: {
      repo: `${repo.owner}/${repo.name}`,
      issue: pull,
      pull,
      instructions: comment.body.slice(0, INSTRUCTIONS_MAX),
      comment: { kind: comment.kind, id: comment.id },
    },
  };
}
