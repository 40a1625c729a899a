/**
 * The submission quotas (`QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`) as one rule both stores apply
 * to what they read inside the transaction that inserts the job.
 */
import { QuotaExceededError, type SubmitQuota } from "./store.ts";

/**
 * Checks that `submitter`, holding `queued` jobs and having spent `spentUsd` today (UTC), may queue
 * one more job under `quota`.
 * @throws QuotaExceededError naming the limit reached (queued jobs, or today's dollars).
 */
export function checkQuota(submitter: string, quota: SubmitQuota, queued: number, spentUsd: number): void {
  if (queued >= quota.maxQueued) {
    throw new QuotaExceededError(
      "queued",
      quota.maxQueued,
      queued,
      `${submitter} already has ${queued} jobs queued, the most allowed`,
    );
  }
  if (spentUsd >= quota.usdPerDay) {
    throw new QuotaExceededError(
      "usd_per_day",
      quota.usdPerDay,
      spentUsd,
      `${submitter} spent $${spentUsd.toFixed(2)} today (UTC), the most allowed per day`,
    );
  }
}

/** `YYYY-MM-DD` of `at` in UTC: the day spending counts on. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Dollars rounded to a millionth, as the stores report them. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
