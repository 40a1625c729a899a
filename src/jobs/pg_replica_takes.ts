/**
 * How a replica on PostgreSQL takes its jobs. A graphile-worker job is a turn of the queue, not a
 * particular job: the claim picks which job runs, in the database under the queue's advisory lock
 * (as submissions are), so `QUOTA_MAX_RUNNING` and the fair order between submitters hold across
 * every replica. A job a dead replica held comes first (taken over).
 */
import type pg from "pg";
import type { Job } from "../contracts/job.ts";
import { withItems } from "./pg_job_reads.ts";
import { PG_SQL as SQL } from "./pg_statements.ts";
import { inTransaction } from "./pg_transaction.ts";
import type { JobRow } from "./sqlite_rows.ts";

/** The replica side of the PostgreSQL store; see the module's description. */
export class PgReplicaTakes {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Takes a job for worker `workerId` of replica `replica` (graphile-worker handed it a turn): first
   * a job a dead replica held (taken over: `resumed`), else the next queued job in fair order whose
   * submitter has fewer than `maxRunningPerSubmitter` jobs active across every replica.
   * @returns the job, or undefined when none may start now (a later turn will take it).
   */
  async takeForRun(
    replica: string,
    workerId: string,
    maxRunningPerSubmitter = 2_147_483_647,
  ): Promise<{ job: Job; resumed: boolean } | undefined> {
    const at = new Date().toISOString();
    const taken = await inTransaction(this.#pool, async (db) => {
      await db.query(SQL.lockQueue);
      const orphan = (await db.query<JobRow>(SQL.takeOrphan, [at, replica, workerId])).rows[0];
      if (orphan) return { row: orphan, resumed: true };
      const row =
        (await db.query<JobRow>(SQL.claimFor, [at, replica, workerId, maxRunningPerSubmitter])).rows[0];
      return row ? { row, resumed: false } : undefined;
    });
    return taken ? { job: await withItems(this.#pool, taken.row), resumed: taken.resumed } : undefined;
  }

  /**
   * Releases the active jobs of graphile-worker's workers `workerIds` (their runs ended without
   * recording it): the next worker to get a turn takes them over.
   */
  async releaseWorkers(workerIds: readonly string[]): Promise<void> {
    await this.#pool.query(SQL.releaseWorkers, [workerIds]);
  }
}
