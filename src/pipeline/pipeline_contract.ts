/**
 * What the worker runs for each job, and what it gets back: the seam between
 * `jobs/` (store, queue, worker) and `pipeline/` (one job's path).
 */
import type { Job, JobOutcome } from "../jobs/job.ts";
import type { EmitJobEvent } from "../jobs/job_events.ts";

/**
 * Runs one job; `emit` appends a typed progress event (it never rejects). When `signal` aborts
 * (cancel, deadline, shutdown) the pipeline stops its agent, disposes its sandboxes and
 * returns (or throws) within a few seconds; its outcome is then overridden.
 */
export type Pipeline = (job: Job, emit: EmitJobEvent, signal: AbortSignal) => Promise<JobOutcome>;
