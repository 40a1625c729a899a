/**
 * What the worker runs for each job, and what it gets back: the seam between
 * `jobs/` (store, queue, worker) and `pipeline/` (one job's path).
 */
import type { Job, JobOutcome } from "../contracts/job.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import type { RecordedUsage } from "../contracts/usage.ts";
import type { SharedAllowance } from "../agent/budget.ts";
import type { WorkItemPublication } from "../contracts/work_item_publication.ts";

/**
 * Runs one job; `emit` appends a typed progress event (it never rejects). When `signal` aborts
 * (cancel, deadline, shutdown) the pipeline stops its agent, disposes its sandboxes and
 * returns (or throws) within a few seconds; its outcome is then overridden.
 */
export type Pipeline = (job: Job, emit: EmitJobEvent, signal: AbortSignal) => Promise<JobOutcome>;

/** What a running job records besides events: usage as it grows, and the agent's trajectory. */
export interface JobRunRecords {
  /** Sets a work item's usage totals so far; the job's usage is their sum. */
  recordUsage(jobId: string, issue: number, usage: RecordedUsage): Promise<void>;
  /** Stores a work item's agent trajectory (JSON-serialisable). */
  saveTrajectory(jobId: string, issue: number, trajectory: unknown): Promise<void>;
  /** Keeps what one of the job's work items published (replacing an earlier record of it). */
  savePublication(jobId: string, publication: WorkItemPublication): Promise<void>;
  /**
   * Marks a running job `waiting` (its `[ops]` sub-issues are open) or `running` again; a job that
   * is neither (queued, final) is left as it is.
   */
  setWaiting(jobId: string, waiting: boolean): Promise<void>;
}

/** The daily allowance of one submitter; `jobs/daily_allowance.ts` opens it. */
export interface DailyAllowance extends SharedAllowance {
  /** Reads the submitter's spend today from the ledger again (after a usage write, at a work item's start). */
  refresh(): Promise<void>;
}

/** How a {@link IssueWaits.wait} ended. */
export type WaitEnd = "woken" | "timeout" | "aborted";

/** An issue, as `owner/name` and its number. */
export interface IssueKey {
  repo: string;
  number: number;
}

/** The waiting side, as the pipeline sees it. */
export interface IssueWaits {
  /** A mark to pass as `since` to {@link IssueWaits.wait}: take it before reading the issues. */
  mark(): number;
  /**
   * Resolves `woken` when one of `issues` is reported closed (after `since`: at once if that
   * happened already), `timeout` after `timeoutMs`, or `aborted` when `signal` aborts (at once if it
   * already has); never rejects.
   */
  wait(issues: readonly IssueKey[], options: WaitOptions): Promise<WaitEnd>;
}

/** Options of {@link IssueWaits.wait}. */
export interface WaitOptions {
  timeoutMs: number;
  /** From {@link IssueWaits.mark}, taken before the issues were read, so no close in between is missed. */
  since: number;
  signal?: AbortSignal;
}
