/**
 * What a GitHub webhook delivery asks of the service, read from its event name and payload: start a
 * job (a trigger), consider a follow-up on a pull request (a comment or review on one), wake jobs
 * waiting on an issue (`issues.closed`), or nothing. Pure: who may ask is checked by the handler.
 *
 * Triggers (GitHub App events `issues` and `issue_comment`): `issues.labeled` with the trigger label
 * (`TRIGGER_LABEL`; label names compare case-insensitively, as on GitHub), `issues.assigned` to the
 * bot (`GITHUB_BOT_LOGIN`), and an `issue_comment.created` on an issue whose body starts with
 * `/agent run`. Pull request comments (`issue_comment` on a pull request,
 * `pull_request_review_comment.created`, `pull_request_review.submitted`) are passed on whatever their
 * text: the follow-up decides. The bot's own actions are never a trigger.
 */
import { z } from "zod";

/** A comment or review on a pull request, as the follow-up decision gets it. */
export interface PullComment {
  /** `issue_comment` (the conversation), `review_comment` (on a line of the diff) or `review`. */
  kind: "issue_comment" | "review_comment" | "review";
  /** The comment's (or review's) id. */
  id: number;
  /** Its text as written: untrusted. */
  body: string;
}

/** What a delivery asks for. `repo` is `owner/name`; `sender` the login of who acted. */
export type WebhookIntent =
  | {
    kind: "start";
    repo: string;
    issue: number;
    sender: string;
    /** What triggered it: the label, the assignment, or a `/agent run` comment. */
    trigger: "labeled" | "assigned" | "comment";
  }
  | { kind: "pull_comment"; repo: string; pull: number; sender: string; comment: PullComment }
  | { kind: "issue_closed"; repo: string; issue: number }
  | { kind: "none"; reason: string };

/** What decides a trigger. */
export interface TriggerSettings {
  /** `TRIGGER_LABEL`. */
  triggerLabel: string;
  /** `GITHUB_BOT_LOGIN`; undefined: assignment triggers nothing. */
  botLogin?: string;
}

const COMMAND = /^\s*\/agent\s+run(?:\s|$)/;

const account = z.object({ login: z.string().min(1) });
const repository = z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) });
const common = { repository, sender: account };
const issue = z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() });
const issuesPayload = z.object({
  ...common,
  action: z.string(),
  issue,
  label: z.object({ name: z.string() }).optional(),
  assignee: account.nullable().optional(),
});
const issueCommentPayload = z.object({
  ...common,
  action: z.string(),
  issue,
  comment: z.object({ id: z.number().int(), body: z.string() }),
});
const reviewCommentPayload = z.object({
  ...common,
  action: z.string(),
  pull_request: z.object({ number: z.number().int().positive() }),
  comment: z.object({ id: z.number().int(), body: z.string() }),
});
const reviewPayload = z.object({
  ...common,
  action: z.string(),
  pull_request: z.object({ number: z.number().int().positive() }),
  review: z.object({ id: z.number().int(), body: z.string().nullable() }),
});

const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * The intent of delivery `event` (the `X-GitHub-Event` header) with `payload`.
 * A payload without the fields its event needs is `none`, with the reason.
 */
export function webhookIntent(event: string, payload: unknown, settings: TriggerSettings): WebhookIntent {
  const parsed = parse(event, payload);
  if (parsed === undefined) return { kind: "none", reason: `event ${event} is not one the service acts on` };
  if (!parsed.success) return { kind: "none", reason: `the ${event} payload lacks what it should carry` };
  const p = parsed.data;
  if (same(p.sender.login, settings.botLogin)) return { kind: "none", reason: "the bot's own action" };
  const repo = p.repository.full_name;
  const sender = p.sender.login;
  const action = `${event}.${p.action}`;
  if ("review" in p) {
    return action === "pull_request_review.submitted"
      ? {
        kind: "pull_comment",
        repo,
        pull: p.pull_request.number,
        sender,
        comment: {
          kind: "review",
          id: p.review.id,
          body: p.review.body ?? "",
        },
      }
      : { kind: "none", reason: `${action} is not acted on` };
  }
  if ("pull_request" in p) {
    return action === "pull_request_review_comment.created"
      ? {
        kind: "pull_comment",
        repo,
        pull: p.pull_request.number,
        sender,
        comment: {
          kind: "review_comment",
          id: p.comment.id,
          body: p.comment.body,
        },
      }
      : { kind: "none", reason: `${action} is not acted on` };
  }
  if ("comment" in p) {
    if (action !== "issue_comment.created") return { kind: "none", reason: `${action} is not acted on` };
    if (p.issue.pull_request !== undefined) {
      return {
        kind: "pull_comment",
        repo,
        pull: p.issue.number,
        sender,
        comment: {
          kind: "issue_comment",
          id: p.comment.id,
          body: p.comment.body,
        },
      };
    }
    return COMMAND.test(p.comment.body)
      ? { kind: "start", repo, issue: p.issue.number, sender, trigger: "comment" }
      : { kind: "none", reason: "a comment that does not start with /agent run" };
  }
  if (p.issue.pull_request !== undefined) return { kind: "none", reason: `${action} on a pull request` };
  if (action === "issues.closed") return { kind: "issue_closed", repo, issue: p.issue.number };
  if (action === "issues.labeled") {
    return same(p.label?.name ?? "", settings.triggerLabel)
      ? { kind: "start", repo, issue: p.issue.number, sender, trigger: "labeled" }
      : { kind: "none", reason: `a label other than ${settings.triggerLabel}` };
  }
  if (action === "issues.assigned") {
    if (settings.botLogin === undefined) return { kind: "none", reason: "GITHUB_BOT_LOGIN is not set" };
    return same(p.assignee?.login ?? "", settings.botLogin)
      ? { kind: "start", repo, issue: p.issue.number, sender, trigger: "assigned" }
      : { kind: "none", reason: "assigned to someone other than the bot" };
  }
  return { kind: "none", reason: `${action} is not acted on` };
}

function parse(event: string, payload: unknown) {
  switch (event) {
    case "issues":
      return issuesPayload.safeParse(payload);
    case "issue_comment":
      return issueCommentPayload.safeParse(payload);
    case "pull_request_review_comment":
      return reviewCommentPayload.safeParse(payload);
    case "pull_request_review":
      return reviewPayload.safeParse(payload);
    default:
      return undefined;
  }
}
