/**
 * A job that runs again (a retry after its Docker host went down, a takeover from a dead replica, a
 * requeue after a shutdown) starts its work items' usage from zero, while its record already holds
 * what the earlier attempts spent: those model calls were made and paid for. Each attempt's usage
 * is recorded on top of the earlier attempts', so the job's usage and its submitter's daily spend
 * (`QUOTA_USD_PER_DAY`) count every model call once: not replaced by the last attempt's, not twice.
 * The work item's dollar and token budgets (`BUDGET_USD`, `BUDGET_TOKENS`) hold across attempts too:
 * a rerun gets what the earlier attempts left of them. Turns and the wall clock are per attempt.
 */
import type { BudgetLimits } from "../agent/budget.ts";
import type { Job } from "../contracts/job.ts";
import type { RecordedUsage } from "../contracts/usage.ts";

/** Adds to an attempt's usage of a work item what the job's earlier attempts recorded for it. */
export type OnTopOfEarlier = (issue: number, usage: RecordedUsage) => RecordedUsage;

/** The {@link OnTopOfEarlier} of `job` as it was taken for this attempt (its work items as stored). */
export function onTopOfEarlierAttempts(job: Job): OnTopOfEarlier {
  const earlier = new Map(job.workItems.map((item) => [item.issue, item.usage]));
  return (issue, usage) => {
    const before = earlier.get(issue);
    if (!before) return usage;
    return {
      inputTokens: before.inputTokens + usage.inputTokens,
      outputTokens: before.outputTokens + usage.outputTokens,
      ephemeral5mInputTokens: (before.ephemeral5mInputTokens ?? 0) + (usage.ephemeral5mInputTokens ?? 0),
      ephemeral1hInputTokens: (before.ephemeral1hInputTokens ?? 0) + (usage.ephemeral1hInputTokens ?? 0),
      totalTokens: before.totalTokens + usage.totalTokens,
      costUsd: before.costUsd + usage.costUsd,
      turns: before.turns + usage.turns,
    };
  };
}

/**
 * `limits` less what the job's earlier attempts spent on work item `issue`: dollars (`maxUsd`) and
 * tokens (`maxTotalTokens`). A budget used up leaves the smallest positive limit, so the attempt's
 * first model call stops on it (`budget_exceeded`) instead of spending again.
 */
export function budgetAfterEarlierAttempts(limits: BudgetLimits, job: Job, issue: number): BudgetLimits {
  const before = job.workItems.find((item) => item.issue === issue)?.usage;
  if (!before || (before.costUsd === 0 && before.totalTokens === 0)) return limits;
  return {
    ...limits,
    maxUsd: Math.max(limits.maxUsd - before.costUsd, Number.MIN_VALUE),
    maxTotalTokens: Math.max(limits.maxTotalTokens - before.totalTokens, Number.MIN_VALUE),
  };
}
