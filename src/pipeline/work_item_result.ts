/** How one work item of a job ended. */
import type { WorkItem } from "../jobs/job.ts";

/**
 * Terminal statuses of a work item; every one but `submitted` comes with a reason. `skipped`: a
 * sub-issue not worked on (closed, or in another repository); `branch_taken`: its branch or pull
 * request belongs to someone else; `error`: an infrastructure failure ended this work item only.
 */
export type WorkItemStatus =
  | "submitted"
  | "budget_exceeded"
  | "timeout"
  | "model_error"
  | "no_submission"
  | "no_changes"
  | "tests_failed"
  | "diff_rejected"
  | "branch_taken"
  | "skipped"
  | "error"
  | "cancelled";

/** One work item's outcome, as the pipeline reports it: the job record's work item, ended. */
export interface WorkItemResult extends WorkItem {
  title: string;
  status: WorkItemStatus;
}
