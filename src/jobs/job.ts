/** Job records: what was asked, who asked, where it stands, what it produced and cost. */
import type { TestSummary } from "../contracts/test_run.ts";
import type { RecordedUsage } from "../contracts/usage.ts";

/** Every status a job can have: `queued → running → succeeded | failed | cancelled`; `queued → cancelled`. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** Where a job stands (one of {@link JOB_STATUSES}). */
export type JobStatus = typeof JOB_STATUSES[number];

/** The statuses a job never leaves. */
export const FINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

/** Whether `status` is one a job never leaves. */
export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A pull request a job opened, and the work item it closes. */
export interface PullRequestRef {
  issue: number;
  number: number;
  url: string;
}

/** What a submitter asks for. */
export interface JobRequest {
  /** `owner/name`. */
  repo: string;
  /** A `[dev]` issue, or a parent issue whose `[dev]` sub-issues each get a PR. */
  issue: number;
  /** Base branch; the repo's default branch when absent. */
  base?: string;
}

/** One work item of a job: a `[dev]` issue and how it went (`running` until the pipeline reports it). */
export interface WorkItem {
  issue: number;
  title?: string;
  /** `running`, or the pipeline's terminal status (`submitted`, `tests_failed`, `budget_exceeded`, …). */
  status: string;
  reason?: string;
  pullRequest?: PullRequestRef;
  usage: RecordedUsage;
  tests?: TestSummary;
}

/** A job as stored and as the API shows it. */
export interface Job extends JobRequest {
  id: string;
  status: JobStatus;
  /** Why the job failed or was cancelled, in words a person can act on. */
  reason?: string;
  /** Who submitted it: the verified principal's id (`jwt:<sub>`, `key:<name>`, `anonymous`, `cli`). */
  submitter?: string;
  /** A cancel was asked for while the job ran; the pipeline is stopping. */
  cancelRequested: boolean;
  pullRequests: PullRequestRef[];
  workItems: WorkItem[];
  /** Summed over the work items. */
  usage: RecordedUsage;
  createdAt: string;
  updatedAt: string;
  /** When a worker claimed it. */
  startedAt?: string;
  /** When it reached a final status. */
  finishedAt?: string;
}
