/** How one work item of a job ended. */
import type { WorkItem } from "./job.ts";

/** Terminal statuses of a work item; every one but `submitted` comes with a reason. */
export type WorkItemStatus =
  | "submitted"
  | "budget_exceeded"
  | "timeout"
  | "model_error"
  | "no_submission"
  | "no_changes"
  | "tests_failed"
  | "diff_rejected"
  | "cancelled";

/** One work item's outcome, as the pipeline reports it: the job record's work item, ended. */
export interface WorkItemResult extends WorkItem {
  title: string;
  status: WorkItemStatus;
}
