/**
 * The job lifecycle as log lines (category `backend-agent.jobs`, one JSON object per line, see
 * `logging.ts`): `job queued`, `job started` and `job finished` (`work item finished` is the
 * pipeline's: `pipeline/work_item_log.ts`), each with the job's id so a log collector can follow one
 * job without the API. Only ids, statuses, reasons, pull request links, dollars and milliseconds:
 * never request bodies or secrets.
 */
import { logger } from "../logging.ts";
import type { Job } from "../contracts/job.ts";
import type { JobQueueStore } from "./store.ts";

const log = logger("jobs");

/** Milliseconds between two ISO timestamps, or undefined when either is missing. */
function between(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  return Date.parse(to) - Date.parse(from);
}

/** Who asked for what: the fields every lifecycle line carries. */
function jobFields(job: Job) {
  return {
    jobId: job.id,
    repo: job.repo,
    issue: job.issue,
    ...(job.pull !== undefined ? { pull: job.pull } : {}),
    ...(job.submitter ? { submitter: job.submitter } : {}),
  };
}

/** `job queued`: a new job is in the queue. */
export function logJobQueued(job: Job): void {
  log.info("job queued {jobId} {repo}#{issue}", jobFields(job));
}

/** `job started`: a worker claimed the job. */
export function logJobStarted(job: Job): void {
  log.info("job started {jobId} {repo}#{issue}", {
    ...jobFields(job),
    queuedMs: between(job.createdAt, job.startedAt),
  });
}

/** `job finished`: the job's final record (or `queued` again after a shutdown with requeue). */
export function logJobFinished(job: Job): void {
  log[job.status === "succeeded" ? "info" : "warn"]("job finished {jobId}: {status}", {
    ...jobFields(job),
    status: job.status,
    ...(job.reason ? { reason: job.reason } : {}),
    pullRequests: job.pullRequests.map((pr) => pr.url),
    costUsd: job.usage.costUsd,
    durationMs: between(job.startedAt, job.finishedAt),
  });
}

/**
 * `store` with `create` and `createOnce` logging each new job as queued. `store` is a plain object of
 * functions (such as `notifyingStore`'s), whose other members are kept as they are.
 */
export function queueLoggingStore<S extends Pick<JobQueueStore, "create" | "createOnce">>(store: S): S {
  return {
    ...store,
    async create(request, quota) {
      const job = await store.create(request, quota);
      logJobQueued(job);
      return job;
    },
    async createOnce(request, key, quota) {
      const result = await store.createOnce(request, key, quota);
      if ("created" in result && result.created) logJobQueued(result.job);
      return result;
    },
  };
}
