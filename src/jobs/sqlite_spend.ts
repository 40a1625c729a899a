/**
 * Each submitter's model spend per UTC day in the SQLite store (migration 4's table), and the
 * submission quotas checked against it (`QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`). Runs inside the
 * store's transactions; every method is synchronous, as `node:sqlite` is.
 */
import type { Statements } from "./sqlite_statements.ts";
import type { SubmitQuota } from "./store.ts";
import { checkQuota, roundUsd, utcDay } from "./quota_check.ts";

/** The spend ledger and quota checks over the store's prepared statements. */
export class SqliteSpend {
  readonly #sql: Statements;
  /** Which UTC day spending counts on. */
  readonly #clock: () => Date;

  constructor(sql: Statements, clock: () => Date) {
    this.#sql = sql;
    this.#clock = clock;
  }

  /** Dollars `principal` spent today (UTC), rounded to a millionth. */
  spentToday(principal: string): number {
    const row = this.#sql.spentOn.get(principal, utcDay(this.#clock())) as { cost_usd: number } | undefined;
    return roundUsd(row?.cost_usd ?? 0);
  }

  /** The dollars recorded so far for work item `issue` of job `jobId` (0 when none). */
  itemCost(jobId: string, issue: number): number {
    return (this.#sql.itemCost.get(jobId, issue) as { cost_usd: number } | undefined)?.cost_usd ?? 0;
  }

  /** Adds `deltaUsd` to today's spend of job `jobId`'s submitter (none: nothing). */
  add(jobId: string, deltaUsd: number): void {
    if (deltaUsd !== 0) this.#sql.addSpend.run(utcDay(this.#clock()), deltaUsd, jobId);
  }

  /**
   * Checks that `submitter` may queue one more job under `quota`.
   * @throws QuotaExceededError naming the limit reached (queued jobs, or today's dollars).
   */
  checkQuota(submitter: string, quota: SubmitQuota): void {
    const { n: queued } = this.#sql.queuedOf.get(submitter) as { n: number };
    checkQuota(submitter, quota, queued, queued >= quota.maxQueued ? 0 : this.spentToday(submitter));
  }
}
