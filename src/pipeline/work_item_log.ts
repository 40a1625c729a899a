/**
 * `work item finished`, the pipeline's line of the job lifecycle log (category `backend-agent.jobs`;
 * the worker logs the job's own lines, `jobs/job_lifecycle_log.ts`). Only ids, statuses, reasons, the
 * pull request link, test counts, dollars and milliseconds: never model or repository text beyond the
 * reason, and never secrets.
 */
import { logger } from "../logging.ts";
import type { WorkItemResult } from "../contracts/job.ts";

const log = logger("jobs");

/**
 * `work item finished`: how one work item ended (status, reason, pull request, tests, cost) and how
 * long it ran, ms.
 */
export function logWorkItemFinished(jobId: string, item: WorkItemResult, durationMs: number): void {
  log.info("work item finished {jobId} #{issue}: {status}", {
    jobId,
    issue: item.issue,
    status: item.status,
    ...(item.reason ? { reason: item.reason } : {}),
    ...(item.pullRequest ? { pullRequest: item.pullRequest.url } : {}),
    ...(item.tests ? { tests: { passed: item.tests.passed, failed: item.tests.failed } } : {}),
    costUsd: item.usage.costUsd,
    turns: item.usage.turns,
    durationMs: Math.round(durationMs),
  });
}
