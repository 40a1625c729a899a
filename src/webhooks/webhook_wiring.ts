/**
 * Builds what `POST /v1/webhooks/github` needs from the config: the signature check
 * (`GITHUB_WEBHOOK_SECRET`), the delivery record in the job store (SQLite's file or PostgreSQL), and the handler
 * acting on deliveries with GitHub access of its own (the same credentials as the pipeline).
 */
import type { GitHubWebhooks } from "../api/api_env.ts";
import type { AuditLog } from "../audit.ts";
import type { Config } from "../config.ts";
import { createGitHubAccess } from "../github/access.ts";
import type { GitHubCredentials } from "../github/credentials.ts";
import { openSqliteWebhookDeliveries } from "../jobs/sqlite_webhook_deliveries.ts";
import { followUpFromComment } from "../github/follow_up_trigger.ts";
import type { ClosedIssues, FollowUpDecider } from "./webhook_contract.ts";
import { WebhookHandler } from "./webhook_handler.ts";
import { createSignatureCheck } from "./webhook_signature.ts";
import type { JobQueueStore } from "../jobs/store.ts";
import type { WebhookDeliveries } from "./webhook_deliveries.ts";

/** Built webhooks: what the API takes, and their teardown. */
export interface BuiltWebhooks {
  api: GitHubWebhooks;
  handler: WebhookHandler;
  /**
   * Waits for deliveries being acted on (one waiting out GitHub's back-off stops waiting), then closes
   * the delivery record. Idempotent.
   */
  close(): Promise<void>;
}

/** What the webhooks act through, from the composition root. */
export interface WebhookParts {
  credentials: GitHubCredentials;
  store: Pick<JobQueueStore, "create">;
  queue: { kick(): void };
  audit: AuditLog;
  /** Jobs waiting for `[ops]` sub-issues, woken on `issues.closed`. */
  wakeups?: ClosedIssues;
  /** Where deliveries seen are kept (PostgreSQL's, closed with its store). Default: the SQLite file's. */
  deliveries?: WebhookDeliveries;
}

/**
 * Follow-ups on the service's pull requests, decided by `follow_up_trigger.ts` (a mention of
 * `botLogin` or `/agent`, an open pull request of the service's); none without `GITHUB_BOT_LOGIN`.
 */
function followUps(botLogin: string): FollowUpDecider {
  return async (gateway, input) => {
    const decision = await followUpFromComment(gateway, {
      repo: input.repo,
      pull: input.pull,
      comment: { ...input.comment, author: input.sender },
      botLogin,
    });
    return decision.kind === "start" ? { request: decision.request } : { ignored: decision.reason };
  };
}

/** The webhooks, or undefined when `GITHUB_WEBHOOK_SECRET` is not set. */
export function buildGitHubWebhooks(config: Config, parts: WebhookParts): BuiltWebhooks | undefined {
  const secret = config.webhooks.secret;
  if (secret === undefined) return undefined;
  const own = parts.deliveries ? undefined : openSqliteWebhookDeliveries(config.jobsDbPath);
  const deliveries: WebhookDeliveries = parts.deliveries ?? own!;
  const stopping = new AbortController();
  const handler = new WebhookHandler({
    github: createGitHubAccess(parts.credentials, {
      baseUrl: config.github.apiUrl,
      retries: config.github.retries,
      retryBaseMs: config.github.retryBaseMs,
    }),
    store: parts.store,
    queue: parts.queue,
    audit: parts.audit,
    quota: { maxQueued: config.quota.maxQueued, usdPerDay: config.quota.usdPerDay },
    settings: {
      triggerLabel: config.webhooks.triggerLabel,
      ...(config.github.botLogin ? { botLogin: config.github.botLogin } : {}),
    },
    ...(config.github.botLogin ? { followUps: followUps(config.github.botLogin) } : {}),
    ...(parts.wakeups ? { wakeups: parts.wakeups } : {}),
    deliveries,
    stopping: stopping.signal,
  });
  let closed: Promise<void> | undefined;
  return {
    api: { verify: createSignatureCheck(secret), deliveries, inbox: handler },
    handler,
    close() {
      stopping.abort();
      closed ??= handler.drain().then(() => own?.close());
      return closed;
    },
  };
}
