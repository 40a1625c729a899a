/**
 * Builds what `POST /v1/webhooks/github` needs from the config: the signature check
 * (`GITHUB_WEBHOOK_SECRET`), the delivery record in the job store's SQLite file, and the handler
 * acting on deliveries with GitHub access of its own (the same credentials as the pipeline).
 */
import type { GitHubWebhooks } from "../api/api_env.ts";
import type { AuditLog } from "../audit.ts";
import type { Config } from "../config.ts";
import { createGitHubAccess } from "../github/access.ts";
import type { GitHubCredentials } from "../github/credentials.ts";
import { openSqliteWebhookDeliveries } from "../jobs/sqlite_webhook_deliveries.ts";
import { type ClosedIssues, type FollowUpDecision, WebhookHandler } from "./webhook_handler.ts";
import { createSignatureCheck } from "./webhook_signature.ts";
import type { JobQueueStore } from "../jobs/store.ts";

/** Built webhooks: what the API takes, and their teardown. */
export interface BuiltWebhooks {
  api: GitHubWebhooks;
  handler: WebhookHandler;
  /** Waits for deliveries being acted on, then closes the delivery record. Idempotent. */
  close(): Promise<void>;
}

/** What the webhooks act through, from the composition root. */
export interface WebhookParts {
  credentials: GitHubCredentials;
  store: Pick<JobQueueStore, "create">;
  queue: { kick(): void };
  audit: AuditLog;
  followUps?: FollowUpDecision;
  wakeups?: ClosedIssues;
}

/** The webhooks, or undefined when `GITHUB_WEBHOOK_SECRET` is not set. */
export function buildGitHubWebhooks(config: Config, parts: WebhookParts): BuiltWebhooks | undefined {
  const secret = config.webhooks.secret;
  if (secret === undefined) return undefined;
  const deliveries = openSqliteWebhookDeliveries(config.jobsDbPath);
  const handler = new WebhookHandler({
    github: createGitHubAccess(parts.credentials, {
      baseUrl: config.github.apiUrl,
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
    ...(parts.followUps ? { followUps: parts.followUps } : {}),
    ...(parts.wakeups ? { wakeups: parts.wakeups } : {}),
  });
  let closed: Promise<void> | undefined;
  return {
    api: { verify: createSignatureCheck(secret), deliveries, inbox: handler },
    handler,
    close() {
      closed ??= handler.drain().then(() => deliveries.close());
      return closed;
    },
  };
}
