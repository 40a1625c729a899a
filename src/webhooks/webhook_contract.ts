/**
 * The seams of the webhook handling: the delivery the route hands over, the inbox it hands it to, and
 * what the handler calls on for pull request comments (the follow-up decision) and closed issues (the
 * waiting jobs' wake-ups).
 */
import type { GitHubGateway, RepoRef } from "../github/gateway.ts";
import type { JobRequest } from "../contracts/job.ts";
import type { PullComment } from "./webhook_intent.ts";

/** A verified delivery no one handled before. */
export interface WebhookDelivery {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  event: string;
  /** The parsed JSON body. */
  payload: unknown;
}

/** Where verified deliveries go: taken at once, acted on in the background. */
export interface WebhookInbox {
  receive(delivery: WebhookDelivery): void;
}

/** What a comment on a pull request asks for, as the follow-up decision sees it. */
export interface PullCommentInput {
  repo: RepoRef;
  pull: number;
  /** Login of who wrote it. */
  sender: string;
  comment: PullComment;
}

/**
 * Decides whether a pull request comment starts a follow-up (it mentions the bot or starts with
 * `/agent`, the pull request is open and the service's): the job request, or why not.
 */
export type FollowUpDecider = (
  gateway: GitHubGateway,
  input: PullCommentInput,
) => Promise<{ request: JobRequest } | { ignored: string }>;

/** Jobs waiting on issues being closed (`owner/name`, issue number). */
export interface ClosedIssues {
  issueClosed(repo: string, issue: number): unknown;
}
