/** Job records: what was asked, where it stands, what it produced. */

/** Where a job stands. `queued → running → succeeded | failed | cancelled`. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** The statuses a job never leaves. */
export const FINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

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

/** A job as stored and as the API shows it. */
export interface Job extends JobRequest {
  id: string;
  status: JobStatus;
  /** Why the job failed or was cancelled, in words a person can act on. */
  reason?: string;
  pullRequests: PullRequestRef[];
  createdAt: string;
  updatedAt: string;
}

/** One line of a job's progress log. */
export interface JobEvent {
  seq: number;
  jobId: string;
  at: string;
  /** e.g. `step`, `tool`, `test`, `pr`, `error`. */
  kind: string;
  message: string;
}
