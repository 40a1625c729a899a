/**
 * The stand-in's webhook deliveries, as GitHub sends them to a GitHub App's webhook URL: a JSON
 * body, `X-GitHub-Event`, a fresh `X-GitHub-Delivery` (the same one on a redelivery), the hook
 * headers, and `X-Hub-Signature-256` (and the legacy `X-Hub-Signature`), HMACs of the exact body
 * with the webhook secret, computed here with `node:crypto` independently of the service's check.
 * Payloads are built from the stand-in's state with the REST shapes GitHub's webhooks embed.
 */
import { createHmac } from "node:crypto";
import { reviewCommentJson, type StoredReviewComment } from "./review_comments.ts";
import type { StandInState, StoredIssue, StoredPull, StoredRepo } from "./state.ts";
import { issueJson } from "./wire_issue.ts";
import { labelJson } from "./wire_label.ts";
import { pullSimple } from "./wire_pull.ts";
import { repository, simpleUser } from "./wire_repo.ts";

/** One delivery the stand-in sent, and what the receiver answered. */
export interface SentDelivery {
  id: string;
  event: string;
  /** The exact body sent. */
  body: string;
  /** The receiver's status and body. */
  status: number;
  response: string;
}

/** Options of one delivery. */
export interface DeliveryOptions {
  /** `X-Hub-Signature-256` as sent: by default the right one; `null` sends none (an unsigned delivery). */
  signature?: string | null;
  /** `X-GitHub-Delivery`; default a fresh UUID (a redelivery passes the earlier one). */
  id?: string;
}

/** The App installation every delivery names (the one `app_auth.ts` issues tokens for). */
const INSTALLATION_ID = 2002;
const HOOK_ID = 4242;

/** `sha256=<hex>` of `body` with `secret`, as GitHub computes `X-Hub-Signature-256`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Posts one delivery of `event` with `payload` to `url`; returns what was sent and answered. */
export async function sendDelivery(
  target: { url: string; secret: string },
  event: string,
  payload: unknown,
  options: DeliveryOptions = {},
): Promise<SentDelivery> {
  const id = options.id ?? crypto.randomUUID();
  const body = JSON.stringify(payload);
  const signature = options.signature === undefined ? signBody(target.secret, body) : options.signature;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/standin",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-github-hook-id": String(HOOK_ID),
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": "1001",
  };
  if (signature !== null) {
    headers["x-hub-signature-256"] = signature;
    headers["x-hub-signature"] = `sha1=${createHmac("sha1", target.secret).update(body).digest("hex")}`;
  }
  const response = await fetch(target.url, { method: "POST", headers, body });
  return { id, event, body, status: response.status, response: await response.text() };
}

/** The `sender` of a delivery: the account `login`. */
function sender(state: StandInState, login: string) {
  const account = state.account(login);
  return simpleUser(state.baseUrl, account.login, { id: account.id, type: account.type });
}

/** What every payload carries besides its event's own fields. */
function envelope(state: StandInState, repo: StoredRepo, login: string) {
  return {
    repository: repository(state.baseUrl, repo),
    sender: sender(state, login),
    installation: { id: INSTALLATION_ID, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${INSTALLATION_ID}` },
  };
}

/** An `issues` payload of `action` (`labeled`, `assigned`, `closed`, …) on `issue`, by `login`. */
export function issuesPayload(
  state: StandInState,
  repo: StoredRepo,
  issue: StoredIssue,
  action: string,
  login: string,
  extra: { label?: string; assignee?: string } = {},
) {
  const assignee = extra.assignee === undefined ? undefined : sender(state, extra.assignee);
  return {
    action,
    issue: { ...issueJson(state, repo, issue), ...(assignee ? { assignee, assignees: [assignee] } : {}) },
    ...(extra.label !== undefined ? { label: labelJson(state.baseUrl, repo, extra.label) } : {}),
    ...(assignee ? { assignee } : {}),
    ...envelope(state, repo, login),
  };
}

/** An `issue_comment` `created` payload: `login` commented `body` on `issue`. */
export function issueCommentPayload(
  state: StandInState,
  repo: StoredRepo,
  issue: StoredIssue,
  body: string,
  login: string,
) {
  const id = state.nextId();
  const api = `${state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const now = new Date().toISOString();
  return {
    action: "created",
    issue: issueJson(state, repo, issue),
    comment: {
      id,
      node_id: `IC_${id}`,
      url: `${api}/issues/comments/${id}`,
      html_url: `${state.baseUrl}/${repo.owner}/${repo.name}/issues/${issue.number}#issuecomment-${id}`,
      issue_url: `${api}/issues/${issue.number}`,
      body,
      user: sender(state, login),
      created_at: now,
      updated_at: now,
      author_association: "COLLABORATOR",
      performed_via_github_app: null,
      reactions: reactions(`${api}/issues/comments/${id}`),
    },
    ...envelope(state, repo, login),
  };
}

/** A `pull_request_review_comment` `created` payload: `comment` (stored) on `pull`'s diff. */
export function reviewCommentPayload(
  state: StandInState,
  repo: StoredRepo,
  pull: StoredPull,
  comment: StoredReviewComment,
) {
  return {
    action: "created",
    // The webhook's comment also carries the range fields (null for a one-line comment) and reactions.
    comment: {
      start_line: null,
      original_start_line: null,
      start_side: null,
      reactions: reactions(`${state.baseUrl}/repos/${repo.owner}/${repo.name}/pulls/comments/${comment.id}`),
      ...reviewCommentJson(state, repo, comment),
    },
    pull_request: pullSimple(state.baseUrl, repo, pull),
    ...envelope(state, repo, comment.author),
  };
}

/** A comment's `reactions` summary: none yet. */
function reactions(commentUrl: string) {
  return {
    url: `${commentUrl}/reactions`,
    total_count: 0,
    "+1": 0,
    "-1": 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}
