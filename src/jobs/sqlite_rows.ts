/**
 * Rows of the job store (SQLite's, and PostgreSQL's with the same columns), how they become
 * {@link Job} records and {@link JobEvent}s, and the values a job's insert and a work item's upsert write.
 */
import type { Job, JobOutcome, WorkItem } from "../contracts/job.ts";
import type { NewJob } from "./store.ts";
import { NO_USAGE, type RecordedUsage } from "../contracts/usage.ts";
import { type JobEvent, type NewJobEvent, newJobEventSchema } from "../contracts/job_events.ts";

/** A `jobs` row. */
export interface JobRow {
  id: string;
  repo: string;
  issue: number;
  base: string | null;
  status: Job["status"];
  reason: string | null;
  pull_requests: string;
  created_at: string;
  updated_at: string;
  submitter: string | null;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested: number;
  position: number;
  /** Follow-ups only (migration 8); absent on rows read before it. */
  pull?: number | null;
  instructions?: string | null;
  /** JSON. */
  comment?: string | null;
}

/** A `work_items` row. */
export interface WorkItemRow {
  issue: number;
  title: string | null;
  /** Written only from {@link WorkItem}'s status. */
  status: WorkItem["status"];
  reason: string | null;
  pull_request: string | null;
  tests: string | null;
  /** JSON; NULL on work items stored before migration 5, or that ended before their environment. */
  environment: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  turns: number;
  /** 0 on work items recorded before migration 10. */
  ephemeral_5m_input_tokens: number;
  ephemeral_1h_input_tokens: number;
}

/** The job of `row` with its work items; usage is their sum. */
export function toJob(row: JobRow, items: WorkItemRow[]): Job {
  const workItems = items.map(toWorkItem);
  const usage: Required<RecordedUsage> = {
    ...NO_USAGE,
    ephemeral5mInputTokens: 0,
    ephemeral1hInputTokens: 0,
  };
  for (const item of workItems) {
    for (const key of Object.keys(usage) as Array<keyof RecordedUsage>) usage[key] += item.usage[key] ?? 0;
  }
  usage.costUsd = Math.round(usage.costUsd * 1e6) / 1e6;
  return {
    id: row.id,
    repo: row.repo,
    issue: row.issue,
    ...(row.base ? { base: row.base } : {}),
    ...(row.pull ? { pull: row.pull } : {}),
    ...(row.instructions ? { instructions: row.instructions } : {}),
    ...(row.comment ? { comment: JSON.parse(row.comment) } : {}),
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.submitter ? { submitter: row.submitter } : {}),
    cancelRequested: row.cancel_requested === 1,
    pullRequests: JSON.parse(row.pull_requests),
    workItems,
    usage,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
  };
}

function toWorkItem(row: WorkItemRow): WorkItem {
  return {
    issue: row.issue,
    ...(row.title ? { title: row.title } : {}),
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.pull_request ? { pullRequest: JSON.parse(row.pull_request) } : {}),
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      ephemeral5mInputTokens: row.ephemeral_5m_input_tokens,
      ephemeral1hInputTokens: row.ephemeral_1h_input_tokens,
      totalTokens: row.total_tokens,
      costUsd: row.cost_usd,
      turns: row.turns,
    },
    ...(row.tests ? { tests: JSON.parse(row.tests) } : {}),
    ...(row.environment ? { environment: JSON.parse(row.environment) } : {}),
  };
}

/** A `job_events` row; `data` is NULL on events stored before migration 3. */
export interface EventRow {
  seq: number;
  at: string;
  kind: string;
  message: string;
  data: string | null;
}

/**
 * The event of `row`. An event stored before events had data is read as its kind with empty data
 * when that kind needs none (`step`, `error`), with the data its message is (`done`, `cancelled`),
 * and otherwise as a `step` that names the kind it had (`legacyKind`).
 */
export function toJobEvent(jobId: string, row: EventRow): JobEvent {
  const written = newJobEventSchema.safeParse({
    kind: row.kind,
    message: row.message,
    data: row.data === null ? legacyData(row) : JSON.parse(row.data),
  });
  const event: NewJobEvent = written.success
    ? written.data
    : { kind: "step", message: row.message, data: { legacyKind: row.kind } };
  return { seq: row.seq, jobId, at: row.at, ...event };
}

function legacyData(row: EventRow): Record<string, unknown> {
  if (row.kind === "done") return { status: "succeeded" };
  if (row.kind === "cancelled") return { status: "cancelled", reason: row.message };
  return {};
}

/** An opaque page cursor: the last job's submission position. */
export function encodeCursor(position: number): string {
  return btoa(`p${position}`).replace(/=+$/, "");
}

/** The position {@link encodeCursor} wrote, or undefined when `cursor` is not one. */
export function decodeCursor(cursor: string): number | undefined {
  try {
    const match = /^p(\d{1,15})$/.exec(atob(cursor));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The values of a work item's upsert, in `upsertItem`'s column order (job id first). */
export function workItemValues(jobId: string, item: NonNullable<JobOutcome["workItems"]>[number]) {
  return [
    jobId,
    item.issue,
    item.title ?? null,
    item.status,
    item.reason ?? null,
    item.pullRequest ? JSON.stringify(item.pullRequest) : null,
    item.tests ? JSON.stringify(item.tests) : null,
    item.usage.inputTokens,
    item.usage.outputTokens,
    item.usage.totalTokens,
    item.usage.costUsd,
    item.usage.turns,
    item.environment ? JSON.stringify(item.environment) : null,
    item.usage.ephemeral5mInputTokens ?? 0,
    item.usage.ephemeral1hInputTokens ?? 0,
  ] as const;
}

/** A new job's follow-up columns (`pull`, `instructions`, `comment` as JSON), NULL on a job on an issue. */
export function followUpValues(request: NewJob) {
  return [
    request.pull ?? null,
    request.instructions ?? null,
    request.comment ? JSON.stringify(request.comment) : null,
  ] as const;
}
