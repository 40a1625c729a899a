/**
 * A work item's failure stays the work item's: an infrastructure error ends it `error` and the next
 * one still runs; work items that never started (the `[ops]` wait ended otherwise) are reported skipped.
 */
import { NO_USAGE } from "../contracts/usage.ts";
import type { Issue } from "../github/gateway.ts";
import type { SkippedItem } from "../github/work_items.ts";
import type { JobOutcome, WorkItemResult } from "../contracts/job.ts";
import { workItemEvents } from "./job_event_builders.ts";
import { errorText } from "../logging.ts";
import { runWorkItem } from "./work_item_run.ts";

/**
 * {@link runWorkItem}, with an infrastructure failure (Docker, GitHub) ending this work item as
 * `error` instead of the job, so the next one still runs. A cancel still stops the job.
 */
export async function runWorkItemAlone(
  spent: ReadonlyMap<number, WorkItemResult["usage"]>,
  ...args: Parameters<typeof runWorkItem>
): Promise<WorkItemResult> {
  const [deps, input] = args;
  try {
    return await runWorkItem(...args);
  } catch (error) {
    if (input.signal?.aborted) throw error;
    const reason = errorText(error);
    await deps.emit(workItemEvents(input.item.number).error(reason));
    return {
      issue: input.item.number,
      title: input.item.title,
      status: "error",
      reason,
      usage: spent.get(input.item.number) ?? NO_USAGE,
    };
  }
}

/** The outcome of a job whose work items never started (`ops_not_done`, or cancelled while waiting). */
export function notStarted(
  items: readonly Issue[],
  skipped: readonly SkippedItem[],
  reason: string,
): JobOutcome {
  const left = [
    ...skipped.map((s) => ({
      issue: s.issue,
      why: `${s.issue.repo.owner}/${s.issue.repo.name}#${s.issue.number}: ${s.reason}`,
    })),
    ...items.map((issue) => ({ issue, why: reason })),
  ];
  const workItems: WorkItemResult[] = left.map(({ issue, why }) => ({
    issue: issue.number,
    title: issue.title,
    status: "skipped",
    reason: why,
    usage: NO_USAGE,
  }));
  return { status: "failed", reason, pullRequests: [], workItems };
}
