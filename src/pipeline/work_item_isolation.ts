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
import { DockerHostDownError, SandboxLostError } from "../sandbox/docker_host_errors.ts";

/** What the job keeps across its work items for the ones that end in an infrastructure failure. */
export interface WorkItemFailures {
  /** Each work item's latest usage. */
  spent: ReadonlyMap<number, WorkItemResult["usage"]>;
  /** Why work items failed in a way a retry of the job can get past (their Docker host went down). */
  retryable: string[];
}

/**
 * {@link runWorkItem}, with an infrastructure failure (Docker, GitHub) ending this work item as
 * `error` instead of the job, so the next one still runs. A cancel still stops the job. A failure
 * typed `retryable` (the work item's Docker host stopped answering) is also noted in `failures`.
 */
export async function runWorkItemAlone(
  failures: WorkItemFailures,
  ...args: Parameters<typeof runWorkItem>
): Promise<WorkItemResult> {
  const [deps, input] = args;
  try {
    return await runWorkItem(...args);
  } catch (error) {
    if (input.signal?.aborted) throw error;
    const reason = errorText(error);
    if (lostItsHost(error)) failures.retryable.push(`#${input.item.number}: ${reason}`);
    await deps.emit(workItemEvents(input.item.number).error(reason));
    return {
      issue: input.item.number,
      title: input.item.title,
      status: "error",
      reason,
      usage: failures.spent.get(input.item.number) ?? NO_USAGE,
    };
  }
}

/**
 * Whether `error`, or an error it was caused by, says the work item's Docker host went down or
 * stopped its sandbox under it.
 */
function lostItsHost(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof DockerHostDownError || e instanceof SandboxLostError) return true;
  }
  return false;
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
