/**
 * The job's model, checked first: a model id the provider does not serve (unknown or retired) fails
 * the job before GitHub, the environment or a sandbox is touched; and, when the check could not tell
 * and the first model call finds it, the job stops at that work item.
 */
import type { ModelCheck } from "../agent/model_check.ts";
import type { Issue } from "../github/gateway.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import { NO_USAGE } from "../contracts/usage.ts";
import type { JobOutcome, WorkItemResult } from "../contracts/job.ts";
import { jobEvents } from "./job_event_builders.ts";
import type { JobProgress } from "./job_progress.ts";
import { notServedFix } from "../agent/model_check.ts";

/**
 * Asks `check` about `model` and says so in a `step` event.
 *
 * @returns the failed outcome when the model is not served (reason `model_not_found: …`, naming the
 *   id and `MODEL`); undefined when the job goes on (served, or undecided: its first call decides).
 */
export async function checkModelFirst(
  check: ModelCheck,
  model: string,
  emit: EmitJobEvent,
  signal: AbortSignal | undefined,
): Promise<JobOutcome | undefined> {
  const answer = await check(model, signal);
  if (answer.verdict === "served") return undefined;
  if (answer.verdict === "undecided") {
    await emit(jobEvents.step(`model check undecided (${answer.reason}); the first model call decides`));
    return undefined;
  }
  await emit(jobEvents.step(`model check: ${answer.reason}`));
  return { status: "failed", reason: `model_not_found: ${answer.reason}`, pullRequests: [], workItems: [] };
}

/**
 * The model id is not served: every work item would fail the same way, so the job fails at once,
 * naming the id and the setting, and the work items after this one are reported skipped.
 */
export async function modelNotFound(
  done: WorkItemResult,
  items: readonly Issue[],
  workItems: WorkItemResult[],
  progress: JobProgress,
): Promise<JobOutcome> {
  const reason = notServedFix(done.reason ?? "The model id is not served");
  const notRun = "Not started: the job stopped because the model id is not served";
  const rest = items.slice(items.findIndex((i) => i.number === done.issue) + 1);
  workItems.push(...rest.map((issue): WorkItemResult => ({
    issue: issue.number,
    title: issue.title,
    status: "skipped",
    reason: notRun,
    usage: NO_USAGE,
  })));
  await progress.endAll("skipped", notRun);
  const pullRequests = workItems.flatMap((w) => w.pullRequest ? [w.pullRequest] : []);
  return { status: "failed", reason, pullRequests, workItems };
}
