/**
 * The progress comments of every work item of one job ({@link WorkItemProgress} each): created in
 * order when the job's work items start, the job's `waiting` events shown in each, and the ones that
 * never ran ended when the job is done with them.
 */
import type { Issue } from "../github/gateway.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import type { WorkItemResult } from "../contracts/job.ts";
import { WorkItemProgress, type WorkItemProgressDeps } from "./work_item_progress.ts";

/** The progress of every work item of a job; disposing it ends the ones that never ran. */
export interface JobProgress extends AsyncDisposable {
  of(issue: number): WorkItemProgress;
  /** `emit`, with the job's `waiting` events also shown in every comment. */
  watch(emit: EmitJobEvent): EmitJobEvent;
  /** Ends every work item that has not ended with `status` and `reason` (e.g. the job never started them). */
  endAll(status: WorkItemResult["status"], reason: string): Promise<void>;
}

/**
 * Creates (or takes back) each work item's progress comment (`queued`), in order. Disposing ends the
 * ones that never ran: `cancelled` when `signal` aborted, else `error` (the job stopped first).
 */
export async function openJobProgress(
  deps: WorkItemProgressDeps,
  items: Issue[],
  signal?: AbortSignal,
): Promise<JobProgress> {
  const all = new Map(items.map((item) => [item.number, new WorkItemProgress(deps, item)]));
  for (const progress of all.values()) await progress.open();
  const endAll = async (status: WorkItemResult["status"], reason: string) => {
    for (const progress of all.values()) if (!progress.ended) await progress.finish({ status, reason });
  };
  return {
    of(issue) {
      const progress = all.get(issue);
      if (!progress) throw new Error(`Cannot follow work item #${issue}: it is not one of the job's`);
      return progress;
    },
    watch(emit) {
      return async (event) => {
        await emit(event);
        if (event.kind !== "waiting") return;
        const open = event.data.open.map((i) => `${i.repo}#${i.number}`);
        for (const progress of all.values()) await progress.waiting(open);
      };
    },
    endAll,
    [Symbol.asyncDispose]() {
      return signal?.aborted
        ? endAll("cancelled", "The job was cancelled")
        : endAll("error", "The job stopped before this work item ran; its events say why");
    },
  };
}
