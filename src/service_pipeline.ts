/**
 * The composition of the real pipeline: GitHub (token or App credentials), Docker sandboxes (on the
 * engines `service_hosts.ts` places them on) and the model on its provider (Anthropic API, Bedrock or
 * Vertex AI), with the settings `PipelineSettings` takes from the config. Used by `service.ts`.
 */
import { createMessagesApi } from "./agent/model_client.ts";
import { createModelCheck } from "./agent/model_check.ts";
import type { AuditLog } from "./audit.ts";
import type { Config } from "./config.ts";
import { createGitHubAccess } from "./github/access.ts";
import { appCredentials, type GitHubCredentials, tokenCredentials } from "./github/credentials.ts";
import { openDailyAllowance } from "./jobs/daily_allowance.ts";
import type { IssueWakeups } from "./jobs/issue_wakeups.ts";
import type { SpendLedger } from "./jobs/store.ts";
import type { JobRunRecords } from "./pipeline/pipeline_contract.ts";
import type { HostPlacement } from "./pipeline/host_placement.ts";
import { createPipeline } from "./pipeline/pipeline.ts";
import type { Pipeline } from "./pipeline/pipeline_contract.ts";
import type { ProgressCommentIds } from "./pipeline/work_item_progress.ts";
import type { BudgetLimits } from "./agent/budget.ts";

/**
 * The real pipeline: GitHub, Docker sandboxes, the model on its provider (whose cloud credentials
 * are resolved now).
 *
 * @throws {ConfigError} when the model provider's credentials cannot be found or are refused.
 */
export async function buildPipeline(
  config: Config,
  parts: {
    hosts: HostPlacement;
    store: JobRunRecords & SpendLedger;
    audit: AuditLog;
    wakeups: IssueWakeups;
    progressComments: ProgressCommentIds;
  },
): Promise<Pipeline> {
  const { hosts, store, audit, wakeups, progressComments } = parts;
  const messages = await createMessagesApi(config.model);
  const deps = {
    github: createGitHubAccess(githubCredentials(config), {
      baseUrl: config.github.apiUrl,
      retries: config.github.retries,
      retryBaseMs: config.github.retryBaseMs,
      ...(config.github.headRepo ? { headRepo: config.github.headRepo } : {}),
    }),
    hosts,
    messages,
    checkModel: createModelCheck(messages),
    store,
    audit,
    dailyAllowance: (principal: string) => openDailyAllowance(store, principal, config.quota.usdPerDay),
    waits: wakeups,
    progressComments,
  };
  return createPipeline(
    deps,
    {
      model: config.model.model,
      prices: { [config.model.model]: config.model.price },
      budget: budgetLimits(config),
      testCommand: config.testCommand,
      testTimeoutMs: config.testTimeoutMs,
      maxVerifyRetries: config.maxVerifyRetries,
      ...config.context,
      onFailingTests: config.onFailingTests,
      draft: config.draftPullRequests,
      commandPolicy: config.commandPolicy,
      diffPolicy: config.diffPolicy,
      snapshot: config.snapshot,
      board: config.board,
      ...(config.api.publicUrl ? { publicUrl: config.api.publicUrl } : {}),
      opsWait: config.opsWait,
    },
  );
}

/** The configured GitHub credentials: a GitHub App installation or a token. */
export function githubCredentials(config: Config): GitHubCredentials {
  const auth = config.github.auth;
  if (auth.kind === "token") return tokenCredentials(auth.token);
  return appCredentials({
    appId: auth.appId,
    privateKey: auth.privateKey,
    installationId: auth.installationId,
    baseUrl: config.github.apiUrl,
  });
}

/** A work item's budget limits as the settings give them (`BUDGET_*`, `MAX_OUTPUT_TOKENS*`). */
export function budgetLimits(config: Config): BudgetLimits {
  return {
    maxTurns: config.budget.turns,
    maxOutputTokensPerCall: config.budget.maxOutputTokens,
    maxOutputTokensCap: config.budget.maxOutputTokensCap,
    exactCountWithin: config.budget.countTokensWithin,
    maxTotalTokens: config.budget.tokens,
    maxUsd: config.budget.usd,
    maxWallClockMs: config.budget.wallClockMs,
  };
}
