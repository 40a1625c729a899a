/**
 * What the worker runs for each job, and what it gets back: the seam between
 * `jobs/` (store, queue, worker) and `pipeline/` (one job's path).
 */
import type { Job, PullRequestRef, WorkItem } from "../jobs/job.ts";
import type { EmitJobEvent } from "../jobs/job_events.ts";

/** What the pipeline reports for one job. */
export interface JobOutcome {
  status: "succeeded" | "failed";
  reason?: string;
  pullRequests: PullRequestRef[];
  /** Each work item's final state, when the pipeline knows them. */
  workItems?: WorkItem[];
}

/**
 * Runs one job; `emit` appends a typed progress event (it never rejects). When `signal` aborts
 * (cancel, deadline, shutdown) the pipeline stops its agent, disposes its sandboxes and
 * returns (or throws) within a few seconds; its outcome is then overridden.
 */
export type Pipeline = (job: Job, emit: EmitJobEvent, signal: AbortSignal) => Promise<JobOutcome>;
