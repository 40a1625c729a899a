/**
 * The boundary to job persistence, as role interfaces (queue, events, read model, run records,
 * lifecycle) and their intersection {@link JobStore}, implemented on SQLite and on PostgreSQL.
 */
import type { Job, JobOutcome, JobRequest, JobStatus } from "../contracts/job.ts";
import type { JobEvent, NewJobEvent } from "../contracts/job_events.ts";
import type { JobRunRecords } from "../pipeline/pipeline_contract.ts";
import type { WorkItemPublication } from "../contracts/work_item_publication.ts";

/** Options every job store is opened with. */
export interface JobStoreOptions {
  /** How long an `Idempotency-Key` answers with its job, ms (`IDEMPOTENCY_KEY_TTL_MS`); then the key is free. */
  idempotencyTtlMs: number;
  /** Clock of the spend ledger: which UTC day spending counts on. Default: `() => new Date()`. */
  clock?: () => Date;
}

/** The reason of a job a stopped or crashed process left running, when it is not queued again. */
export const INTERRUPTED_REASON =
  "interrupted: the service stopped while the job was running; submit it again to retry";

/** A job to create: the request plus who made it. */
export interface NewJob extends JobRequest {
  /** The verified principal's id; never taken from the request body. */
  submitter?: string;
}

/** An `Idempotency-Key` as one principal used it. */
export interface IdempotencyKey {
  principal: string;
  key: string;
  /** Hash of the request the key was first used with. */
  fingerprint: string;
}

/**
 * Per-submitter limits a new job must fit in (`QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`), checked in
 * the same transaction as its insert, so a burst of concurrent submissions cannot slip past them.
 */
export interface SubmitQuota {
  /** Most jobs one submitter may have waiting in the queue. */
  maxQueued: number;
  /** Most dollars one submitter may spend per UTC day: no new job once today's spend reaches it. */
  usdPerDay: number;
}

/** Which {@link SubmitQuota} a refused job would have passed. */
export type QuotaKind = "queued" | "usd_per_day";

/** A new job would pass one of its submitter's quotas; nothing was stored. */
export class QuotaExceededError extends Error {
  override name = "QuotaExceededError";
  constructor(
    readonly quota: QuotaKind,
    /** The limit: jobs (`queued`) or dollars (`usd_per_day`). */
    readonly limit: number,
    /** What the submitter holds now, in the same unit. */
    readonly used: number,
    message: string,
  ) {
    super(message);
  }
}

/** What {@link JobQueueStore.createOnce} did. */
export type CreateOnceResult =
  | { job: Job; created: boolean }
  /** The key was used before with a different request. */
  | { conflict: Job };

/** Which jobs {@link JobReadModel.list} returns, newest first. */
export interface JobFilter {
  status?: JobStatus;
  /** Exact `owner/name` (case-insensitive). */
  repo?: string;
  /** Only repos matching one of these globs (`acme/*`); absent = all. */
  repoPatterns?: readonly string[];
  /** Page size. */
  limit: number;
  /** From {@link JobPage.nextCursor}. */
  cursor?: string;
}

/** One page of jobs. */
export interface JobPage {
  jobs: Job[];
  /** Pass as {@link JobFilter.cursor} for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * The queue: jobs go in, are claimed by a worker and end. Every method is atomic.
 */
export interface JobQueueStore {
  /**
   * Queues a job. With `quota`, a job whose submitter is at one of its limits is refused.
   * @throws QuotaExceededError naming the limit (nothing stored).
   */
  create(request: NewJob, quota?: SubmitQuota): Promise<Job>;
  /**
   * Creates the job unless `key` was used before by the same principal: then it returns that
   * job (`created: false`), or `conflict` when the earlier request was a different one. A repeat
   * is answered even when the submitter is at its quota; only a new job is checked against it.
   * @throws QuotaExceededError when a new job would pass `quota` (nothing stored).
   */
  createOnce(request: NewJob, key: IdempotencyKey, quota?: SubmitQuota): Promise<CreateOnceResult>;
  /**
   * Marks a queued job `running` and returns it: job `id` if it is queued, else the next one in
   * fair order. Each submitter's queue is first in, first out; between submitters the one whose
   * last job started longest ago (or never) goes first, so one submitter's backlog does not hold
   * back the others. With `maxRunningPerSubmitter`, a submitter that many jobs running is skipped:
   * its jobs stay queued and another submitter's job starts. The job comes with its work items as
   * recorded so far (a job running again has some).
   */
  claimNext(options?: { id?: string; maxRunningPerSubmitter?: number }): Promise<Job | undefined>;
  /** Puts a running job back in the queue (service shut down, `JOBS_REQUEUE_INTERRUPTED`). */
  requeue(id: string): Promise<void>;
  /**
   * Records the final status of a running job; a job already final is left as it is.
   * @throws Error when there is no job `id`.
   */
  finish(id: string, result: JobOutcome): Promise<Job>;
  /**
   * Cancels a queued job at once (`cancelled: true`), or flags a running one
   * (`cancelRequested`) for its worker to stop. Final jobs are left as they are.
   * @returns undefined when there is no such job.
   */
  requestCancel(id: string, reason: string): Promise<{ job: Job; cancelled: boolean } | undefined>;
  /**
   * Start-up recovery: jobs left `running` or `waiting` by a dead process become `failed` with reason
   * `interrupted: …` (or `queued` again with `requeue`; `cancelled` if a cancel was asked for).
   * @returns the jobs it changed.
   */
  recoverInterrupted(options: { requeue: boolean }): Promise<Job[]>;
}

/** The events: each job's progress log, numbered 1, 2, 3… without gaps. */
export interface JobEventStore {
  /** Appends `event` to job `jobId`'s log. @returns it as stored. */
  appendEvent(jobId: string, event: NewJobEvent): Promise<JobEvent>;
  /** Events with `seq` greater than `afterSeq`, oldest first, at most `limit` (default all). */
  listEvents(jobId: string, afterSeq?: number, limit?: number): Promise<JobEvent[]>;
}

/** The read model: jobs as the API shows them, and their agent trajectories. */
export interface JobReadModel {
  get(id: string): Promise<Job | undefined>;
  /** @throws InvalidCursorError when `filter.cursor` is not one the store handed out. */
  list(filter: JobFilter): Promise<JobPage>;
  getTrajectories(jobId: string): Promise<Array<{ issue: number; trajectory: unknown }>>;
  /** What work item `issue` of job `jobId` published, or undefined when it published nothing. */
  getPublication(jobId: string, issue: number): Promise<WorkItemPublication | undefined>;
}

/** What each submitter spent on the model, per UTC day, as its work items' usage was recorded. */
export interface SpendLedger {
  /** Dollars `principal` (a job's submitter) spent today (UTC, by the store's clock). */
  spentToday(principal: string): Promise<number>;
}

/** The store's own health and lifetime. */
export interface StoreLifecycle {
  /** Proves the store can write (for `/readyz`). @throws when it cannot. */
  checkWritable(): Promise<void>;
  /** Closes the file or the connections; the PostgreSQL store's resolves once they are ended. */
  close(): void | Promise<void>;
}

/**
 * Stores jobs, their progress events, usage and agent trajectories: every role. A second store
 * (PostgreSQL) implements the same roles; each consumer takes the narrowest one it needs.
 */
export type JobStore =
  & JobQueueStore
  & JobEventStore
  & JobReadModel
  & JobRunRecords
  & SpendLedger
  & StoreLifecycle;

/** {@link JobFilter.cursor} is not a cursor the store handed out. */
export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}
