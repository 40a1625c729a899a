/**
 * {@link JobStore} on SQLite (`node:sqlite`): WAL, versioned migrations, one
 * file. Needs Deno `--allow-read` and `--allow-write` on the file's folder.
 * Every method runs synchronously underneath; being `async`, each turns a
 * throw into a rejected promise.
 */
// deno-lint-ignore-file require-await -- node:sqlite is synchronous; `async` is what makes a throw a rejection.
import type { DatabaseSync } from "node:sqlite";
import type { Job, JobOutcome } from "../contracts/job.ts";
import type { JobEvent, NewJobEvent } from "../contracts/job_events.ts";
import { inTransaction, openSqliteDatabase } from "./sqlite_database.ts";
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
import type { RecordedUsage } from "../contracts/usage.ts";
import { listJobsQuery, prepareStatements, type Statements } from "./sqlite_statements.ts";
import { SqliteSpend } from "./sqlite_spend.ts";
import { type WorkItemPublication, workItemPublicationSchema } from "../contracts/work_item_publication.ts";
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

/**
 * Opens (creating and migrating as needed) the store at `path`; `:memory:`
 * gives a private in-memory database.
 * @throws Error when the file cannot be opened or migrated.
 */
export function openSqliteStore(path: string, options: JobStoreOptions): JobStore {
  return new SqliteJobStore(path, options);
}

/** The SQLite job store; see {@link openSqliteStore}. */
export class SqliteJobStore implements JobStore {
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #idempotencyTtlMs: number;
  readonly #spend: SqliteSpend;
  readonly #listStatements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  constructor(path: string, options: JobStoreOptions) {
    this.#idempotencyTtlMs = options.idempotencyTtlMs;
    this.#db = openSqliteDatabase(path);
    this.#sql = prepareStatements(this.#db);
    this.#spend = new SqliteSpend(this.#sql, options.clock ?? (() => new Date()));
  }

  async create(request: NewJob, quota?: SubmitQuota): Promise<Job> {
    const id = quota
      ? inTransaction(this.#db, () => this.#insertWithin(request, quota))
      : this.#insert(request);
    return this.#mustGet(id);
  }

  async createOnce(request: NewJob, key: IdempotencyKey, quota?: SubmitQuota): Promise<CreateOnceResult> {
    const outcome = inTransaction(this.#db, () => {
      this.#sql.expireKeys.run(new Date(Date.now() - this.#idempotencyTtlMs).toISOString());
      const seen = this.#sql.key.get(key.principal, key.key) as
        | { fingerprint: string; job_id: string }
        | undefined;
      if (seen) return { id: seen.job_id, created: false, same: seen.fingerprint === key.fingerprint };
      const id = quota ? this.#insertWithin(request, quota) : this.#insert(request);
      this.#sql.insertKey.run(key.principal, key.key, key.fingerprint, id, now());
      return { id, created: true, same: true };
    });
    const job = this.#mustGet(outcome.id);
    return outcome.same ? { job, created: outcome.created } : { conflict: job };
  }

  async get(id: string): Promise<Job | undefined> {
    return this.#get(id);
  }

  async list(filter: JobFilter): Promise<JobPage> {
    const query = listJobsQuery(filter);
    if (!query) return { jobs: [] };
    let statement = this.#listStatements.get(query.text);
    if (!statement) this.#listStatements.set(query.text, statement = this.#db.prepare(query.text));
    const rows = statement.all(...query.params, filter.limit + 1) as unknown as JobRow[];
    const page = rows.slice(0, filter.limit);
    const jobs = page.map((row) => this.#withItems(row));
    const last = page[page.length - 1];
    return rows.length > filter.limit && last ? { jobs, nextCursor: encodeCursor(last.position) } : { jobs };
  }

  async claimNext(options: { id?: string; maxRunningPerSubmitter?: number } = {}): Promise<Job | undefined> {
    const at = now();
    const row =
      (options.id === undefined
        ? this.#sql.claim.get(at, at, options.maxRunningPerSubmitter ?? Number.MAX_SAFE_INTEGER)
        : this.#sql.claimId.get(at, at, options.id)) as JobRow | undefined;
    // With its work items: a job that runs again records its usage on top of theirs.
    return row ? this.#withItems(row) : undefined;
  }

  async finish(id: string, result: JobOutcome): Promise<Job> {
    inTransaction(this.#db, () => {
      const at = now();
      const pullRequests = JSON.stringify(result.pullRequests);
      const changed = this.#sql.finish.run(result.status, result.reason ?? null, pullRequests, at, at, id);
      if (changed.changes === 0) return;
      for (const item of result.workItems ?? []) {
        const before = this.#spend.itemCost(id, item.issue);
        this.#sql.upsertItem.run(...workItemValues(id, item));
        this.#spend.add(id, item.usage.costUsd - before);
      }
      // No work item outlives its job as `running`: one the pipeline did not report ended with the job.
      this.#sql.endRunningItems.run(
        result.status === "cancelled" ? "cancelled" : "error",
        `the job ended before this work item did: ${result.reason ?? result.status}`,
        id,
      );
    });
    return this.#mustGet(id);
  }

  async setWaiting(id: string, waiting: boolean): Promise<void> {
    this.#sql.setWaiting.run(waiting ? "waiting" : "running", now(), id);
  }

  async requeue(id: string): Promise<void> {
    this.#sql.requeue.run(now(), id);
  }

  async requestCancel(id: string, reason: string): Promise<{ job: Job; cancelled: boolean } | undefined> {
    const at = now();
    const cancelled = this.#sql.cancelQueued.run(reason, at, at, id).changes > 0;
    if (!cancelled) this.#sql.cancelRunning.run(reason, at, id);
    const job = this.#get(id);
    return job ? { job, cancelled } : undefined;
  }

  async recoverInterrupted({ requeue }: { requeue: boolean }): Promise<Job[]> {
    const at = now();
    const rows = inTransaction(this.#db, () => [
      ...this.#sql.recoverCancelled.all(at, at),
      ...(requeue ? this.#sql.recoverRequeue.all(at) : this.#sql.recoverFail.all(INTERRUPTED_REASON, at, at)),
    ]) as unknown as Array<{ id: string }>;
    return rows.map((r) => this.#mustGet(r.id));
  }

  async recordUsage(jobId: string, issue: number, usage: RecordedUsage): Promise<void> {
    inTransaction(this.#db, () => {
      const before = this.#spend.itemCost(jobId, issue);
      this.#sql.usage.run(
        jobId,
        issue,
        usage.inputTokens,
        usage.outputTokens,
        usage.totalTokens,
        usage.costUsd,
        usage.turns,
        usage.ephemeral5mInputTokens ?? 0,
        usage.ephemeral1hInputTokens ?? 0,
      );
      this.#spend.add(jobId, usage.costUsd - before);
    });
  }

  async spentToday(principal: string): Promise<number> {
    return this.#spend.spentToday(principal);
  }

  async appendEvent(jobId: string, event: NewJobEvent): Promise<JobEvent> {
    const at = now();
    const data = JSON.stringify(event.data);
    const row = this.#sql.event.get(jobId, jobId, at, event.kind, event.message, data) as { seq: number };
    return { seq: row.seq, jobId, at, ...event };
  }

  async listEvents(jobId: string, afterSeq = 0, limit = -1): Promise<JobEvent[]> {
    const rows = this.#sql.events.all(jobId, afterSeq, limit) as unknown as EventRow[];
    return rows.map((row) => toJobEvent(jobId, row));
  }

  async saveTrajectory(jobId: string, issue: number, trajectory: unknown): Promise<void> {
    this.#sql.saveTrajectory.run(jobId, issue, JSON.stringify(trajectory));
  }

  async getTrajectories(jobId: string): Promise<Array<{ issue: number; trajectory: unknown }>> {
    const rows = this.#sql.trajectories.all(jobId) as unknown as Array<{ issue: number; body: string }>;
    return rows.map((r) => ({ issue: r.issue, trajectory: JSON.parse(r.body) }));
  }

  async savePublication(jobId: string, publication: WorkItemPublication): Promise<void> {
    this.#sql.savePublication.run(jobId, publication.issue, JSON.stringify(publication));
  }

  async getPublication(jobId: string, issue: number): Promise<WorkItemPublication | undefined> {
    const row = this.#sql.publication.get(jobId, issue) as { body: string } | undefined;
    return row ? workItemPublicationSchema.parse(JSON.parse(row.body)) : undefined;
  }

  async checkWritable(): Promise<void> {
    this.#sql.heartbeat.run(now());
  }

  close(): void {
    this.#db.close();
  }

  #get(id: string): Job | undefined {
    const row = this.#sql.job.get(id) as JobRow | undefined;
    return row ? this.#withItems(row) : undefined;
  }

  #mustGet(id: string): Job {
    const job = this.#get(id);
    if (!job) throw new Error(`No job "${id}" in the job store`);
    return job;
  }

  #withItems(row: JobRow): Job {
    return toJob(row, this.#sql.items.all(row.id) as unknown as WorkItemRow[]);
  }

  #insert(request: NewJob): string {
    const id = crypto.randomUUID();
    const at = now();
    this.#sql.insert.run(
      id,
      request.repo,
      request.issue,
      request.base ?? null,
      request.submitter ?? null,
      at,
      at,
      ...followUpValues(request),
    );
    return id;
  }

  /** Inserts `request` unless its submitter is at a `quota` limit; call within a transaction. */
  #insertWithin(request: NewJob, quota: SubmitQuota): string {
    if (request.submitter !== undefined) this.#spend.checkQuota(request.submitter, quota);
    return this.#insert(request);
  }
}

function now(): string {
  return new Date().toISOString();
}
