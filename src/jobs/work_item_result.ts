/** How one work item of a job ended. */
import type { PullRequestRef } from "./job.ts";

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

/** One work item's outcome, as the job record keeps it. */
export interface WorkItemResult {
  issue: number;
  title: string;
  status: WorkItemStatus;
  reason?: string;
  pullRequest?: PullRequestRef;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number; costUsd: number; turns: number };
  tests?: { command: string; passed: number; failed: number; exitCode: number | null };
}
