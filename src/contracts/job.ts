/**
 * The job contract: what was asked, who asked, where it stands, what it produced and cost. One zod
 * schema per shape with its type inferred: the store keeps these, the pipeline reports them, the
 * API serves them (`api/job_schemas.ts` builds on them).
 */
import { z } from "zod";
import { testSummarySchema } from "./test_run.ts";
import { recordedUsageSchema } from "./usage.ts";
import { environmentResultSchema } from "./environment.ts";
import { followUpFieldsSchema } from "./follow_up_request.ts";

/**
 * Every status a job can have: `queued → running → succeeded | failed | cancelled`; `queued → cancelled`.
 * A running job whose parent issue puts `[ops]` first is `waiting` while an `[ops]` sub-issue is open
 * (`running ⇄ waiting`); a waiting job can be cancelled and ends like a running one.
 */
export const JOB_STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;

/** Where a job stands (one of {@link JOB_STATUSES}). */
export type JobStatus = typeof JOB_STATUSES[number];

/** The statuses a job never leaves. */
export const FINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

/** Whether `status` is one a job never leaves. */
export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** A pull request a job opened, and the work item it closes. */
export const pullRequestRefSchema = z.object({
  issue: z.number().int().positive(),
  number: z.number().int().positive(),
  url: z.string(),
});

/** {@link pullRequestRefSchema}'s type. */
export type PullRequestRef = z.infer<typeof pullRequestRefSchema>;

/**
 * What a submitter asks for, as the job keeps it (the API's body, `api/job_request_schema.ts`, is
 * validated more strictly and normalised into this): a work item, or a follow-up on pull request
 * `pull` (then `issue` is that pull request's number) with its instructions and the comment it answers.
 */
export const jobRequestSchema = z.object({
  /** `owner/name`. */
  repo: z.string(),
  /** A `[dev]` issue, or a parent issue whose `[dev]` sub-issues each get a PR. */
  issue: z.number().int().positive(),
  /** Base branch; the repo's default branch when absent. */
  base: z.string().optional(),
  ...followUpFieldsSchema.partial().shape,
});

/** {@link jobRequestSchema}'s type. */
export type JobRequest = z.infer<typeof jobRequestSchema>;

/**
 * How a work item ended; every one but `submitted` comes with a reason. `skipped`: a sub-issue not
 * worked on (closed, or in another repository); `branch_taken`: its branch or pull request belongs
 * to someone else; `environment_failed`: setup could not install the repository's dependencies;
 * `error`: an infrastructure failure ended this work item only. The model's ends (`agent/outcome.ts`):
 * `model_refused` (the model declined; no pull request), `context_exhausted` (the conversation still
 * overflowed the context window after compaction), `model_unavailable` (the API stayed overloaded past
 * the retries), `model_not_found` (the model id is unknown or retired: the job stops there).
 */
export const WORK_ITEM_END_STATUSES = [
  "submitted",
  "budget_exceeded",
  "timeout",
  "model_error",
  "model_refused",
  "model_unavailable",
  "model_not_found",
  "context_exhausted",
  "no_submission",
  "no_changes",
  "tests_failed",
  "diff_rejected",
  "branch_taken",
  "environment_failed",
  "skipped",
  "error",
  "cancelled",
] as const;

/** How a work item ended (one of {@link WORK_ITEM_END_STATUSES}). */
export type WorkItemEndStatus = typeof WORK_ITEM_END_STATUSES[number];

/** One work item of a job: a `[dev]` issue and how it went (`running` until the pipeline reports it). */
export const workItemSchema = z.object({
  issue: z.number().int().positive(),
  title: z.string().optional(),
  status: z.enum(["running", ...WORK_ITEM_END_STATUSES]).describe(
    "`running`, or how it ended: `submitted`, `tests_failed`, `budget_exceeded`, `cancelled`, …",
  ),
  reason: z.string().optional(),
  pullRequest: pullRequestRefSchema.optional(),
  usage: recordedUsageSchema,
  tests: testSummarySchema.optional(),
  environment: environmentResultSchema.optional().describe(
    "The environment its sandbox started from: the image, a cache hit or a build, and the egress log of setup.",
  ),
});

/** {@link workItemSchema}'s type. */
export type WorkItem = z.infer<typeof workItemSchema>;

/** One work item's outcome, as the pipeline reports it: the job record's work item, ended. */
export type WorkItemResult = WorkItem & { title: string; status: WorkItemEndStatus };

/**
 * How a job ended: the pipeline reports `succeeded` or `failed`; the worker may override it
 * (`cancelled`, deadline) before the store records it.
 */
export const jobOutcomeSchema = z.object({
  status: z.enum(["succeeded", "failed", "cancelled"]),
  reason: z.string().optional(),
  pullRequests: z.array(pullRequestRefSchema),
  /** Each work item's final state, when known (replaces what was recorded while it ran). */
  workItems: z.array(workItemSchema).optional(),
  /**
   * Set by the pipeline when a work item failed for a reason a retry can get past (its Docker host
   * stopped answering): why. The worker puts the job back in the queue while `JOBS_HOST_RETRIES` allows.
   */
  retry: z.string().optional(),
});

/** {@link jobOutcomeSchema}'s type. */
export type JobOutcome = z.infer<typeof jobOutcomeSchema>;

/** A job as stored and as the API shows it. */
export const jobSchema = jobRequestSchema.extend({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  reason: z.string().optional().describe("Why it failed or was cancelled, in words a person can act on."),
  submitter: z.string().optional().describe(
    "The verified principal that submitted it (`jwt:<sub>`, `key:<name>`, `anonymous`, `cli`).",
  ),
  cancelRequested: z.boolean().describe(
    "A cancel was asked for while the job ran; the pipeline is stopping.",
  ),
  pullRequests: z.array(pullRequestRefSchema),
  workItems: z.array(workItemSchema),
  usage: recordedUsageSchema.describe("Summed over the work items."),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional().describe("When a worker claimed it."),
  finishedAt: z.string().optional().describe("When it reached a final status."),
});

/** {@link jobSchema}'s type. */
export type Job = z.infer<typeof jobSchema>;
