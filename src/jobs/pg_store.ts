/**
 * {@link JobStore} on PostgreSQL (`DATABASE_URL`), through node-postgres' pool: the same roles and
 * answers as the SQLite store, shared by every replica. Writes that must not interleave across
 * replicas (a submission under its quota, a claim, an event's number) take a transaction-scoped
 * advisory lock. A queued job is also a graphile-worker job (key: the job's id), added in the same
 * transaction, so the queue and the record never disagree. Every change of a job is announced on
 * {@link JOB_CHANGES_CHANNEL} by triggers (see `pg_migrations.ts`).
 */
import pg from "pg";
import type { RecordedUsage } from "../contracts/usage.ts";
import type { Job, JobOutcome } from "../contracts/job.ts";
import type { JobEvent, NewJobEvent } from "../contracts/job_events.ts";
import { type WorkItemPublication, workItemPublicationSchema } from "../contracts/work_item_publication.ts";
import { migratePg } from "./pg_migrations.ts";
import { ENQUEUE_SQL, PG_SQL as SQL, pgListJobsQuery } from "./pg_statements.ts";
import { PgSpend } from "./pg_spend.ts";
import { inTransaction, type Queryable } from "./pg_transaction.ts";
import { mustGet, readJob, withItems } from "./pg_job_reads.ts";
import {
  encodeCursor,
  type EventRow,
  followUpValues,
  type JobRow,
  toJobEvent,
  workItemValues,
} from "./sqlite_rows.ts";
import {
  type CreateOnceResult,
  type IdempotencyKey,
  INTERRUPTED_REASON,
  type JobFilter,
  type JobPage,
  type JobStore,
  type JobStoreOptions,
  type NewJob,
  type SubmitQuota,
} from "./store.ts";

/** Options for {@link openPgStore}. */
export type PgStoreOptions = JobStoreOptions;

/**
 * Connects to `pool`'s database and migrates it: this store's schema and graphile-worker's.
 * @throws Error when the database cannot be reached or migrated.
 */
export async function openPgStore(pool: pg.Pool, options: PgStoreOptions): Promise<PgJobStore> {
  // Ours and graphile-worker's, under one migration lock.
  await migratePg(pool);
  return new PgJobStore(pool, options);
}

/** The PostgreSQL job store; see {@link openPgStore}. It owns the pool: closing it ends the pool. */
export class PgJobStore implements JobStore {
  readonly #pool: pg.Pool;
  readonly #ttlMs: number;
  readonly #spend: PgSpend;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: PgStoreOptions) {
    this.#pool = pool;
    this.#ttlMs = options.idempotencyTtlMs;
    this.#spend = new PgSpend(options.clock ?? (() => new Date()));
  }

  async create(request: NewJob, quota?: SubmitQuota): Promise<Job> {
    const id = await inTransaction(this.#pool, async (db) => {
      await db.query(SQL.lockQueue);
      return await this.#insert(db, request, quota);
    });
    return await mustGet(this.#pool, id);
  }

  async createOnce(request: NewJob, key: IdempotencyKey, quota?: SubmitQuota): Promise<CreateOnceResult> {
    const outcome = await inTransaction(this.#pool, async (db) => {
      await db.query(SQL.lockQueue);
      await db.query(SQL.expireKeys, [new Date(Date.now() - this.#ttlMs).toISOString()]);
      const seen = (await db.query(SQL.key, [key.principal, key.key])).rows[0];
      if (seen) {
        return { id: seen.job_id as string, created: false, same: seen.fingerprint === key.fingerprint };
      }
      const id = await this.#insert(db, request, quota);
      await db.query(SQL.insertKey, [key.principal, key.key, key.fingerprint, id, now()]);
      return { id, created: true, same: true };
    });
    const job = await mustGet(this.#pool, outcome.id);
    return outcome.same ? { job, created: outcome.created } : { conflict: job };
  }

  get(id: string): Promise<Job | undefined> {
    return readJob(this.#pool, id);
  }

  async list(filter: JobFilter): Promise<JobPage> {
    const query = pgListJobsQuery(filter);
    if (!query) return { jobs: [] };
    const rows = (await this.#pool.query<JobRow>(query.text, query.params)).rows;
    const page = rows.slice(0, filter.limit);
    const jobs = await Promise.all(page.map((row) => withItems(this.#pool, row)));
    const last = page[page.length - 1];
    return rows.length > filter.limit && last ? { jobs, nextCursor: encodeCursor(last.position) } : { jobs };
  }

  async claimNext(options: { id?: string; maxRunningPerSubmitter?: number } = {}): Promise<Job | undefined> {
    const row = await inTransaction(this.#pool, async (db) => {
      await db.query(SQL.lockQueue);
      const result = options.id === undefined
        ? await db.query<JobRow>(SQL.claim, [now(), options.maxRunningPerSubmitter ?? 2_147_483_647])
        : await db.query<JobRow>(SQL.claimId, [now(), options.id]);
      return result.rows[0];
    });
    return row ? await withItems(this.#pool, row) : undefined;
  }

  async finish(id: string, result: JobOutcome): Promise<Job> {
    await inTransaction(this.#pool, async (db) => {
      const at = now();
      const changed = await db.query(SQL.finish, [
        result.status,
        result.reason ?? null,
        JSON.stringify(result.pullRequests),
        at,
        id,
      ]);
      if (changed.rowCount === 0) return;
      await db.query(SQL.wake, [id]);
      for (const item of result.workItems ?? []) {
        const before = await this.#spend.itemCost(db, id, item.issue);
        await db.query(SQL.upsertItem, [...workItemValues(id, item)]);
        await this.#spend.add(db, id, item.usage.costUsd - before);
      }
      await db.query(SQL.endRunningItems, [
        result.status === "cancelled" ? "cancelled" : "error",
        `the job ended before this work item did: ${result.reason ?? result.status}`,
        id,
      ]);
    });
    return await mustGet(this.#pool, id);
  }

  async setWaiting(id: string, waiting: boolean): Promise<void> {
    await this.#pool.query(SQL.setWaiting, [waiting ? "waiting" : "running", now(), id]);
  }

  async requeue(id: string): Promise<void> {
    await inTransaction(this.#pool, async (db) => {
      const { rowCount } = await db.query(SQL.requeue, [now(), id]);
      if (rowCount) await db.query(SQL.wake, [id]);
    });
  }

  async requestCancel(id: string, reason: string): Promise<{ job: Job; cancelled: boolean } | undefined> {
    const at = now();
    const cancelled = await inTransaction(this.#pool, async (db) => {
      const done = ((await db.query(SQL.cancelQueued, [reason, at, id])).rowCount ?? 0) > 0;
      if (done) await db.query("SELECT graphile_worker.remove_job($1)", [id]);
      else await db.query(SQL.cancelRunning, [reason, at, id]);
      return done;
    });
    const job = await this.get(id);
    return job ? { job, cancelled } : undefined;
  }

  async recoverInterrupted({ requeue }: { requeue: boolean }): Promise<Job[]> {
    const at = now();
    const ids = await inTransaction(this.#pool, async (db) => {
      const rows = [
        ...(await db.query<{ id: string }>(SQL.recoverCancelled, [at])).rows,
        ...(requeue
          ? (await db.query<{ id: string }>(SQL.recoverRequeue, [at])).rows
          : (await db.query<{ id: string }>(SQL.recoverFail, [INTERRUPTED_REASON, at])).rows),
      ];
      if (requeue) {
        for (const row of rows) await db.query(ENQUEUE_SQL, [row.id]);
      }
      return rows.map((r) => r.id);
    });
    return await Promise.all(ids.map((id) => mustGet(this.#pool, id)));
  }

  async recordUsage(jobId: string, issue: number, usage: RecordedUsage): Promise<void> {
    await inTransaction(this.#pool, async (db) => {
      const before = await this.#spend.itemCost(db, jobId, issue);
      await db.query(SQL.usage, [
        jobId,
        issue,
        usage.inputTokens,
        usage.outputTokens,
        usage.totalTokens,
        usage.costUsd,
        usage.turns,
        usage.ephemeral5mInputTokens ?? 0,
        usage.ephemeral1hInputTokens ?? 0,
      ]);
      await this.#spend.add(db, jobId, usage.costUsd - before);
    });
  }

  async spentToday(principal: string): Promise<number> {
    return await this.#spend.spentToday(this.#pool, principal);
  }

  async appendEvent(jobId: string, event: NewJobEvent): Promise<JobEvent> {
    const at = now();
    const seq = await inTransaction(this.#pool, async (db) => {
      await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [jobId]);
      const values = [jobId, at, event.kind, event.message, JSON.stringify(event.data)];
      return (await db.query<{ seq: number }>(SQL.event, values)).rows[0]!.seq;
    });
    return { seq, jobId, at, ...event };
  }

  async listEvents(jobId: string, afterSeq = 0, limit?: number): Promise<JobEvent[]> {
    const rows = (await this.#pool.query<EventRow>(SQL.events, [jobId, afterSeq, limit ?? null])).rows;
    return rows.map((row) => toJobEvent(jobId, row));
  }

  async saveTrajectory(jobId: string, issue: number, trajectory: unknown): Promise<void> {
    await this.#pool.query(SQL.saveTrajectory, [jobId, issue, JSON.stringify(trajectory)]);
  }

  async getTrajectories(jobId: string): Promise<Array<{ issue: number; trajectory: unknown }>> {
    const rows = (await this.#pool.query<{ issue: number; body: string }>(SQL.trajectories, [jobId])).rows;
    return rows.map((r) => ({ issue: r.issue, trajectory: JSON.parse(r.body) }));
  }

  async savePublication(jobId: string, publication: WorkItemPublication): Promise<void> {
    await this.#pool.query(SQL.savePublication, [jobId, publication.issue, JSON.stringify(publication)]);
  }

  async getPublication(jobId: string, issue: number): Promise<WorkItemPublication | undefined> {
    const row = (await this.#pool.query<{ body: string }>(SQL.publication, [jobId, issue])).rows[0];
    return row ? workItemPublicationSchema.parse(JSON.parse(row.body)) : undefined;
  }

  async checkWritable(): Promise<void> {
    await this.#pool.query(SQL.heartbeat, [now()]);
  }

  /** Ends the pool (idempotent); every query after it rejects. */
  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }

  /** Inserts `request` (unless its submitter is at a `quota` limit) and queues it; within a transaction. */
  async #insert(db: Queryable, request: NewJob, quota?: SubmitQuota): Promise<string> {
    if (quota && request.submitter !== undefined) await this.#spend.checkQuota(db, request.submitter, quota);
    const id = crypto.randomUUID();
    const values = [id, request.repo, request.issue, request.base ?? null, request.submitter ?? null, now()];
    await db.query(SQL.insert, [...values, ...followUpValues(request)]);
    await db.query(ENQUEUE_SQL, [id]);
    return id;
  }
}

function now(): string {
  return new Date().toISOString();
}
