/**
 * {@link JobStore} on PostgreSQL (`DATABASE_URL`), through node-postgres' pool: the same roles and
 * answers as the SQLite store, shared by every replica. Writes that must not interleave across
 * replicas (a submission under its quota, a claim, an event's number) take a transaction-scoped
 * advisory lock. A queued job is also a graphile-worker job (key: the job's id), added in the same
 * transaction, so the queue and the record never disagree. Every change of a job is announced on
 * {@link JOB_CHANGES_CHANNEL} by triggers (see `pg_migrations.ts`).
 */
import pg from "pg";
import { runMigrations } from "graphile-worker";
import { graphileLogger } from "./graphile_logger.ts";
import type { RecordedUsage } from "../contracts/usage.ts";
import type { Job, JobOutcome } from "../contracts/job.ts";
import type { JobEvent, NewJobEvent } from "../contracts/job_events.ts";
import { type WorkItemPublication, workItemPublicationSchema } from "../contracts/work_item_publication.ts";
import { migratePg } from "./pg_migrations.ts";
import { ENQUEUE_SQL, PG_SQL as SQL, pgListJobsQuery } from "./pg_statements.ts";
import { checkQuota, roundUsd, utcDay } from "./quota_check.ts";
import {
  encodeCursor,
  type EventRow,
  followUpValues,
  type JobRow,
  toJob,
  toJobEvent,
  type WorkItemRow,
  workItemValues,
} from "./sqlite_rows.ts";
import type {
  CreateOnceResult,
  IdempotencyKey,
  JobFilter,
  JobPage,
  JobStore,
  NewJob,
  SubmitQuota,
} from "./store.ts";

const INTERRUPTED = "interrupted: the service stopped while the job was running; submit it again to retry";
/** Advisory lock (any constant) held by submissions and claims, which read then write the queue. */
const QUEUE_LOCK = 7_140_315;

/** Something that runs a query: the pool, or one transaction's client. */
type Queryable = Pick<pg.Pool, "query">;

/** Options for {@link openPgStore}. */
export interface PgStoreOptions {
  /** How long an `Idempotency-Key` answers with its job, ms (`IDEMPOTENCY_KEY_TTL_MS`). */
  idempotencyTtlMs: number;
  /** Clock of the spend ledger: which UTC day spending counts on. Default: `() => new Date()`. */
  clock?: () => Date;
}

/**
 * Connects to `pool`'s database and migrates it: this store's schema and graphile-worker's.
 * @throws Error when the database cannot be reached or migrated.
 */
export async function openPgStore(pool: pg.Pool, options: PgStoreOptions): Promise<PgJobStore> {
  await migratePg(pool);
  await runMigrations({ pgPool: pool, logger: graphileLogger() });
  return new PgJobStore(pool, options);
}

/** The PostgreSQL job store; see {@link openPgStore}. It owns the pool: closing it ends the pool. */
export class PgJobStore implements JobStore {
  readonly #pool: pg.Pool;
  readonly #ttlMs: number;
  readonly #clock: () => Date;
  #closed: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: PgStoreOptions) {
    this.#pool = pool;
    this.#ttlMs = options.idempotencyTtlMs;
    this.#clock = options.clock ?? (() => new Date());
  }

  async create(request: NewJob, quota?: SubmitQuota): Promise<Job> {
    const id = await this.#transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [QUEUE_LOCK]);
      return await this.#insert(db, request, quota);
    });
    return await this.#mustGet(id);
  }

  async createOnce(request: NewJob, key: IdempotencyKey, quota?: SubmitQuota): Promise<CreateOnceResult> {
    const outcome = await this.#transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [QUEUE_LOCK]);
      await db.query(SQL.expireKeys, [new Date(Date.now() - this.#ttlMs).toISOString()]);
      const seen = (await db.query(SQL.key, [key.principal, key.key])).rows[0];
      if (seen) {
        return { id: seen.job_id as string, created: false, same: seen.fingerprint === key.fingerprint };
      }
      const id = await this.#insert(db, request, quota);
      await db.query(SQL.insertKey, [key.principal, key.key, key.fingerprint, id, now()]);
      return { id, created: true, same: true };
    });
    const job = await this.#mustGet(outcome.id);
    return outcome.same ? { job, created: outcome.created } : { conflict: job };
  }

  get(id: string): Promise<Job | undefined> {
    return this.#get(this.#pool, id);
  }

  async list(filter: JobFilter): Promise<JobPage> {
    const query = pgListJobsQuery(filter);
    if (!query) return { jobs: [] };
    const rows = (await this.#pool.query<JobRow>(query.text, query.params)).rows;
    const page = rows.slice(0, filter.limit);
    const jobs = await Promise.all(page.map((row) => this.#withItems(this.#pool, row)));
    const last = page[page.length - 1];
    return rows.length > filter.limit && last ? { jobs, nextCursor: encodeCursor(last.position) } : { jobs };
  }

  async claimNext(options: { id?: string; maxRunningPerSubmitter?: number } = {}): Promise<Job | undefined> {
    const row = await this.#transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [QUEUE_LOCK]);
      const result = options.id === undefined
        ? await db.query<JobRow>(SQL.claim, [now(), options.maxRunningPerSubmitter ?? 2_147_483_647])
        : await db.query<JobRow>(SQL.claimId, [now(), options.id]);
      return result.rows[0];
    });
    return row ? await this.#withItems(this.#pool, row) : undefined;
  }

  /**
   * Takes a job for worker `workerId` of replica `replica` (graphile-worker handed it a turn): first
   * a job a dead replica held (taken over: `resumed`), else the next queued job in fair order whose
   * submitter has fewer than `maxRunningPerSubmitter` jobs active across every replica. Atomic under
   * the queue's advisory lock, as submissions and claims are.
   * @returns the job, or undefined when none may start now (a later turn will take it).
   */
  async takeForRun(
    replica: string,
    workerId: string,
    maxRunningPerSubmitter = 2_147_483_647,
  ): Promise<{ job: Job; resumed: boolean } | undefined> {
    const taken = await this.#transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [QUEUE_LOCK]);
      const orphan = (await db.query<JobRow>(SQL.takeOrphan, [now(), replica, workerId])).rows[0];
      if (orphan) return { row: orphan, resumed: true };
      const values = [now(), replica, workerId, maxRunningPerSubmitter];
      const row = (await db.query<JobRow>(SQL.claimFor, values)).rows[0];
      return row ? { row, resumed: false } : undefined;
    });
    return taken ? { job: await this.#withItems(this.#pool, taken.row), resumed: taken.resumed } : undefined;
  }

  /**
   * Releases the active jobs of graphile-worker's workers `workerIds` (their runs ended without
   * recording it): the next worker to get a turn takes them over.
   */
  async releaseWorkers(workerIds: readonly string[]): Promise<void> {
    await this.#pool.query(SQL.releaseWorkers, [workerIds]);
  }

  async finish(id: string, result: JobOutcome): Promise<Job> {
    await this.#transaction(async (db) => {
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
        const before = await this.#itemCost(db, id, item.issue);
        await db.query(SQL.upsertItem, [...workItemValues(id, item)]);
        await this.#addSpend(db, id, item.usage.costUsd - before);
      }
      await db.query(SQL.endRunningItems, [
        result.status === "cancelled" ? "cancelled" : "error",
        `the job ended before this work item did: ${result.reason ?? result.status}`,
        id,
      ]);
    });
    return await this.#mustGet(id);
  }

  async setWaiting(id: string, waiting: boolean): Promise<void> {
    await this.#pool.query(SQL.setWaiting, [waiting ? "waiting" : "running", now(), id]);
  }

  async requeue(id: string): Promise<void> {
    await this.#transaction(async (db) => {
      const { rowCount } = await db.query(SQL.requeue, [now(), id]);
      if (rowCount) await db.query(SQL.wake, [id]);
    });
  }

  async requestCancel(id: string, reason: string): Promise<{ job: Job; cancelled: boolean } | undefined> {
    const at = now();
    const cancelled = await this.#transaction(async (db) => {
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
    const ids = await this.#transaction(async (db) => {
      const rows = [
        ...(await db.query<{ id: string }>(SQL.recoverCancelled, [at])).rows,
        ...(requeue
          ? (await db.query<{ id: string }>(SQL.recoverRequeue, [at])).rows
          : (await db.query<{ id: string }>(SQL.recoverFail, [INTERRUPTED, at])).rows),
      ];
      if (requeue) {
        for (const row of rows) await db.query(ENQUEUE_SQL, [row.id]);
      }
      return rows.map((r) => r.id);
    });
    return await Promise.all(ids.map((id) => this.#mustGet(id)));
  }

  async recordUsage(jobId: string, issue: number, usage: RecordedUsage): Promise<void> {
    await this.#transaction(async (db) => {
      const before = await this.#itemCost(db, jobId, issue);
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
      await this.#addSpend(db, jobId, usage.costUsd - before);
    });
  }

  async spentToday(principal: string): Promise<number> {
    return await this.#spentToday(this.#pool, principal);
  }

  async appendEvent(jobId: string, event: NewJobEvent): Promise<JobEvent> {
    const at = now();
    const seq = await this.#transaction(async (db) => {
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

  async #get(db: Queryable, id: string): Promise<Job | undefined> {
    const row = (await db.query<JobRow>(SQL.job, [id])).rows[0];
    return row ? await this.#withItems(db, row) : undefined;
  }

  async #mustGet(id: string): Promise<Job> {
    const job = await this.#get(this.#pool, id);
    if (!job) throw new Error(`No job "${id}" in the job store`);
    return job;
  }

  async #withItems(db: Queryable, row: JobRow): Promise<Job> {
    return toJob(row, (await db.query<WorkItemRow>(SQL.items, [row.id])).rows);
  }

  /** Inserts `request` (unless its submitter is at a `quota` limit) and queues it; within a transaction. */
  async #insert(db: Queryable, request: NewJob, quota?: SubmitQuota): Promise<string> {
    if (quota && request.submitter !== undefined) {
      const { n } = (await db.query<{ n: number }>(SQL.queuedOf, [request.submitter])).rows[0]!;
      checkQuota(
        request.submitter,
        quota,
        n,
        n >= quota.maxQueued ? 0 : await this.#spentToday(db, request.submitter),
      );
    }
    const id = crypto.randomUUID();
    const values = [id, request.repo, request.issue, request.base ?? null, request.submitter ?? null, now()];
    await db.query(SQL.insert, [...values, ...followUpValues(request)]);
    await db.query(ENQUEUE_SQL, [id]);
    return id;
  }

  async #spentToday(db: Queryable, principal: string): Promise<number> {
    const row =
      (await db.query<{ cost_usd: number }>(SQL.spentOn, [principal, utcDay(this.#clock())])).rows[0];
    return roundUsd(row?.cost_usd ?? 0);
  }

  async #itemCost(db: Queryable, jobId: string, issue: number): Promise<number> {
    return (await db.query<{ cost_usd: number }>(SQL.itemCost, [jobId, issue])).rows[0]?.cost_usd ?? 0;
  }

  async #addSpend(db: Queryable, jobId: string, deltaUsd: number): Promise<void> {
    if (deltaUsd !== 0) await db.query(SQL.addSpend, [utcDay(this.#clock()), deltaUsd, jobId]);
  }

  async #transaction<T>(work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped from the pool rather than reused.
      await client.query("ROLLBACK").catch((e) => broken = e instanceof Error ? e : new Error(String(e)));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

function now(): string {
  return new Date().toISOString();
}
