/**
 * Acts on verified, first-seen GitHub webhook deliveries, after the HTTP answer (GitHub waits 10 s at
 * most): a trigger from a sender with write, maintain or admin permission starts a job exactly as
 * `POST /v1/jobs` would (submitter `github:<login>`, the same quotas, the same audit line), once the
 * issue is known to be a `[dev]` work item or a parent with `[dev]` sub-issues; any other issue gets
 * one comment saying why nothing started. A comment or review on a pull request goes to the follow-up
 * decision; `issues.closed` wakes jobs waiting on that issue. Anyone else is ignored with an audit line.
 */
import type { AuditLog } from "../audit.ts";
import { WorkItemError } from "../errors.ts";
import type { GitHubAccess } from "../github/access.ts";
import type { GitHubGateway, RepoPermission, RepoRef } from "../github/gateway.ts";
import { resolveWorkItems } from "../github/work_items.ts";
import type { JobRequest } from "../contracts/job.ts";
import { type JobQueueStore, QuotaExceededError, type SubmitQuota } from "../jobs/store.ts";
import { errorText, logger } from "../logging.ts";
import type { WebhookDeliveries } from "./webhook_deliveries.ts";
import type { ClosedIssues, FollowUpDecider, WebhookDelivery, WebhookInbox } from "./webhook_contract.ts";
import { explain, NOT_A_WORK_ITEM, QUOTA_HINT } from "./webhook_replies.ts";
import { type TriggerSettings, webhookIntent } from "./webhook_intent.ts";

const log = logger("webhooks");

/** Roles that may start the agent (GitHub's "write access"). */
export const TRIGGER_ROLES: readonly RepoPermission[] = ["admin", "maintain", "write"];

/** What the handler needs; the composition root passes it in. */
export interface WebhookHandlerDeps {
  github: GitHubAccess;
  store: Pick<JobQueueStore, "create">;
  queue: { kick(): void };
  audit: AuditLog;
  /** Quotas of `POST /v1/jobs`, applied to the `github:<login>` submitter. */
  quota: SubmitQuota;
  settings: TriggerSettings;
  followUps?: FollowUpDecider;
  wakeups?: ClosedIssues;
  /** Where deliveries are recorded: one that could not be acted on is forgotten, so a redelivery works. */
  deliveries?: WebhookDeliveries;
  /**
   * Aborted when the service stops: a delivery waiting out GitHub's back-off then fails at once (and,
   * when nothing was acted on yet, is forgotten for a redelivery) instead of holding up the shutdown.
   */
  stopping?: AbortSignal;
}

/** {@link WebhookInbox} that acts on deliveries in the background; {@link drain} waits for them. */
export class WebhookHandler implements WebhookInbox {
  readonly #deps: WebhookHandlerDeps;
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: WebhookHandlerDeps) {
    this.#deps = deps;
  }

  receive(delivery: WebhookDelivery): void {
    const work = this.#handleOrForget(delivery).finally(() => this.#pending.delete(work));
    this.#pending.add(work);
  }

  /**
   * Acts on `delivery`; when that fails before anything was started or commented, the delivery is
   * forgotten so that GitHub's "Redeliver" acts on it again. Never rejects.
   */
  async #handleOrForget(delivery: WebhookDelivery): Promise<void> {
    const progress = { acted: false };
    try {
      await this.handle(delivery, progress);
    } catch (error) {
      log.error("webhook delivery {delivery} ({event}) failed: {error}", {
        delivery: delivery.id,
        event: delivery.event,
        error: errorText(error),
        forgotten: !progress.acted,
      });
      if (progress.acted) return;
      await this.#deps.deliveries?.forget(delivery.id).catch((forgetError) =>
        log.error("cannot forget webhook delivery {delivery}: {error}", {
          delivery: delivery.id,
          error: errorText(forgetError),
        })
      );
    }
  }

  /** Resolves once every delivery received so far was acted on; never rejects. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /**
   * Acts on one delivery (what {@link receive} runs); `progress.acted` turns true once a job was
   * stored, a comment posted or a wake-up given.
   */
  async handle(delivery: WebhookDelivery, progress = { acted: false }): Promise<void> {
    const intent = webhookIntent(delivery.event, delivery.payload, this.#deps.settings);
    if (intent.kind === "none") {
      log.info("webhook delivery {delivery} ({event}) ignored: {reason}", {
        delivery: delivery.id,
        event: delivery.event,
        reason: intent.reason,
      });
      return;
    }
    if (intent.kind === "issue_closed") {
      progress.acted = true;
      this.#deps.wakeups?.issueClosed(intent.repo, intent.issue);
      return;
    }
    const repo = repoRef(intent.repo);
    const session = await this.#deps.github.open(repo, this.#deps.stopping);
    try {
      const gateway = session.gateway;
      if (intent.kind === "pull_comment") {
        const decide = this.#deps.followUps;
        if (!decide) return;
        const decision = await decide(gateway, { ...intent, repo });
        if ("ignored" in decision) {
          log.info("comment {comment} on {repo}#{pull} starts nothing: {reason}", {
            comment: intent.comment.id,
            repo: intent.repo,
            pull: intent.pull,
            reason: decision.ignored,
          });
          return;
        }
        if (await this.#mayTrigger(gateway, repo, intent.sender, delivery, intent.repo)) {
          await this.#startJob(gateway, decision.request, intent.sender, delivery, progress, intent.pull);
        }
        return;
      }
      if (!(await this.#mayTrigger(gateway, repo, intent.sender, delivery, intent.repo))) return;
      try {
        await resolveWorkItems(gateway, repo, intent.issue);
      } catch (error) {
        if (!(error instanceof WorkItemError)) throw error;
        progress.acted = true;
        await explain(gateway, repo, intent.issue, `${error.message}.`, NOT_A_WORK_ITEM);
        return;
      }
      const request = { repo: intent.repo, issue: intent.issue };
      await this.#startJob(gateway, request, intent.sender, delivery, progress);
    } finally {
      await session.close();
    }
  }

  /** Whether `sender` has write access to `repo`; an audit line when not. */
  async #mayTrigger(
    gateway: GitHubGateway,
    repo: RepoRef,
    sender: string,
    delivery: WebhookDelivery,
    fullName: string,
  ): Promise<boolean> {
    const role = await gateway.getPermission(repo, sender);
    if (TRIGGER_ROLES.includes(role)) return true;
    this.#deps.audit.record({
      event: "webhook_ignored",
      delivery: delivery.id,
      githubEvent: delivery.event,
      repo: fullName,
      sender,
      reason: `sender has ${role} permission; write, maintain or admin is needed`,
    });
    return false;
  }

  /** Queues `request` for `sender` as `POST /v1/jobs` would; a quota refusal is explained on `thread`. */
  async #startJob(
    gateway: GitHubGateway,
    request: JobRequest,
    sender: string,
    delivery: WebhookDelivery,
    progress: { acted: boolean },
    thread = request.issue,
  ): Promise<void> {
    const submitter = `github:${sender}`;
    let job;
    try {
      job = await this.#deps.store.create({ ...request, submitter }, this.#deps.quota);
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      progress.acted = true;
      this.#deps.audit.record({
        event: "quota_exceeded",
        principal: submitter,
        setting: error.quota === "queued" ? "QUOTA_MAX_QUEUED" : "QUOTA_USD_PER_DAY",
        limit: error.limit,
        used: error.used,
        method: "POST",
        path: "/v1/webhooks/github",
      });
      await explain(gateway, repoRef(request.repo), thread, `${error.message}.`, QUOTA_HINT);
      return;
    }
    progress.acted = true;
    this.#deps.audit.record({
      event: "job_created",
      principal: submitter,
      jobId: job.id,
      repo: job.repo,
      issue: job.issue,
      delivery: delivery.id,
    });
    this.#deps.queue.kick();
  }
}

function repoRef(fullName: string): RepoRef {
  const [owner = "", name = ""] = fullName.split("/");
  return { owner, name };
}
