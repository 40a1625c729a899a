/** Reading one job of the PostgreSQL store with its work items, on the pool or in a transaction. */
import type { Job } from "../contracts/job.ts";
import { PG_SQL as SQL } from "./pg_statements.ts";
import type { Queryable } from "./pg_transaction.ts";
import { type JobRow, toJob, type WorkItemRow } from "./sqlite_rows.ts";

/** Job `id`, or undefined when there is none. */
export async function readJob(db: Queryable, id: string): Promise<Job | undefined> {
  const row = (await db.query<JobRow>(SQL.job, [id])).rows[0];
  return row ? await withItems(db, row) : undefined;
}

/**
 * Job `id`.
 * @throws Error when there is no such job.
 */
export async function mustGet(db: Queryable, id: string): Promise<Job> {
  const job = await readJob(db, id);
  if (!job) throw new Error(`No job "${id}" in the job store`);
  return job;
}

/** The job of `row`, with its work items. */
export async function withItems(db: Queryable, row: JobRow): Promise<Job> {
  return toJob(row, (await db.query<WorkItemRow>(SQL.items, [row.id])).rows);
}
