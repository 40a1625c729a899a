/**
 * Each submitter's model spend per UTC day in the PostgreSQL store (`principal_spend`), and the
 * submission quotas checked against it (`QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`): what
 * `sqlite_spend.ts` does on SQLite. Each method runs on the pool or inside the caller's transaction.
 */
import { PG_SQL as SQL } from "./pg_statements.ts";
import type { Queryable } from "./pg_transaction.ts";
import { checkQuota, roundUsd, utcDay } from "./quota_check.ts";
import type { SubmitQuota } from "./store.ts";

/** The spend ledger and quota checks of the PostgreSQL store. */
export class PgSpend {
  /** Which UTC day spending counts on. */
  readonly #clock: () => Date;

  constructor(clock: () => Date) {
    this.#clock = clock;
  }

  /** Dollars `principal` spent today (UTC), rounded to a millionth. */
  async spentToday(db: Queryable, principal: string): Promise<number> {
    const row =
      (await db.query<{ cost_usd: number }>(SQL.spentOn, [principal, utcDay(this.#clock())])).rows[0];
    return roundUsd(row?.cost_usd ?? 0);
  }

  /** The dollars recorded so far for work item `issue` of job `jobId` (0 when none). */
  async itemCost(db: Queryable, jobId: string, issue: number): Promise<number> {
    return (await db.query<{ cost_usd: number }>(SQL.itemCost, [jobId, issue])).rows[0]?.cost_usd ?? 0;
  }

  /** Adds `deltaUsd` to today's spend of job `jobId`'s submitter (none: nothing). */
  async add(db: Queryable, jobId: string, deltaUsd: number): Promise<void> {
    if (deltaUsd !== 0) await db.query(SQL.addSpend, [utcDay(this.#clock()), deltaUsd, jobId]);
  }

  /**
   * Checks that `submitter` may queue one more job under `quota`; call within the submission's
   * transaction, under the queue's lock.
   * @throws QuotaExceededError naming the limit reached (queued jobs, or today's dollars).
   */
  async checkQuota(db: Queryable, submitter: string, quota: SubmitQuota): Promise<void> {
    const { n } = (await db.query<{ n: number }>(SQL.queuedOf, [submitter])).rows[0]!;
    checkQuota(submitter, quota, n, n >= quota.maxQueued ? 0 : await this.spentToday(db, submitter));
  }
}
