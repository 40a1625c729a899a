/**
 * Runs one claimed job through the pipeline and records how it ended: the
 * worker's unit of work, and what `deno task run` uses for its single job.
 */
import { errorText } from "../logging.ts";
import { logJobError } from "../pipeline/error_line.ts";
import type { Job, JobOutcome } from "../contracts/job.ts";
import { JobAbort } from "./job_abort.ts";
import { jobEvents } from "../pipeline/job_event_builders.ts";
import type { EmitJobEvent, NewJobEvent } from "../contracts/job_events.ts";
import { INTERRUPTED_REASON, type JobEventStore, type JobQueueStore, type JobReadModel } from "./store.ts";
import type { Pipeline } from "../pipeline/pipeline_contract.ts";

/** Options for {@link runJob}. */
export interface RunJobOptions {
  /** Most milliseconds a job may run; then its signal aborts and it fails. Default: no deadline. */
  deadlineMs?: number;
  /**
   * After an abort, how long to wait for the pipeline before recording the job's end
   * anyway, ms (`JOB_CANCEL_GRACE_MS`; the pipeline keeps its slot until it returns).
   */
  cancelGraceMs: number;
  /** A job stopped by a shutdown goes back in the queue instead of failing (`JOBS_REQUEUE_INTERRUPTED`). */
  requeueInterrupted: boolean;
  /**
   * Times a job whose outcome says a retry may get past its failure (a work item's Docker host went
   * down) goes back in the queue (`JOBS_HOST_RETRIES`); the retries are counted by its `retry` events.
   */
  hostRetries: number;
  /** Aborts the pipeline; the worker keeps it to cancel the job. Default: a new one. */
  controller?: AbortController;
}

/** The roles {@link runJob} uses: the queue, the events, and reading the job back after a requeue. */
export type RunJobStore = JobQueueStore & JobEventStore & Pick<JobReadModel, "get">;

const GRACE_OVER = Symbol("grace over");
type Settled = { outcome: JobOutcome } | { error: unknown };

/**
 * Runs `job` (already claimed: `running`) and records its end. A failing event write is reported
 * on stderr and does not stop the job: events are its progress log, not its record.
 * @returns the job as stored at the end (still `queued` when requeued).
 * @throws only when the store cannot record the job's end.
 */
export async function runJob(
  store: RunJobStore,
  pipeline: Pipeline,
  job: Job,
  options: RunJobOptions,
): Promise<Job> {
  const controller = options.controller ?? new AbortController();
  const signal = controller.signal;
  const emit: EmitJobEvent = async (event) => {
    try {
      await store.appendEvent(job.id, event);
    } catch (error) {
      logJobError("cannot record a job event", error, { jobId: job.id, kind: event.kind });
    }
  };
  if (job.cancelRequested) controller.abort(new JobAbort("cancelled", job.reason ?? "cancelled"));
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  if (options.deadlineMs !== undefined) {
    const ms = options.deadlineMs;
    timers.push(setTimeout(() => {
      controller.abort(new JobAbort("deadline", `deadline_exceeded: the job ran longer than ${ms} ms`));
    }, ms));
  }
  try {
    await emit(jobEvents.step(`started ${job.repo}#${job.issue}`));
    const settled: Promise<Settled> = signal.aborted
      ? Promise.resolve({ error: signal.reason })
      : pipeline(job, emit, signal).then((outcome) => ({ outcome }), (error) => ({ error }));
    const graceOver = new Promise<typeof GRACE_OVER>((resolve) => {
      const startGrace = () => timers.push(setTimeout(() => resolve(GRACE_OVER), options.cancelGraceMs));
      if (signal.aborted) startGrace();
      else signal.addEventListener("abort", startGrace, { once: true });
    });
    const first = await Promise.race([settled, graceOver]);
    const result = decide(first === GRACE_OVER ? undefined : first, signal, options);
    const retry = result !== "requeue" && result.retry && !signal.aborted
      ? await nextRetry(store, job.id, result.retry, options.hostRetries)
      : undefined;
    let final: Job;
    if (retry) {
      await emit(retry);
      await store.requeue(job.id);
      final = (await store.get(job.id))!;
    } else if (result === "requeue") {
      await emit(jobEvents.step("interrupted by a shutdown; back in the queue"));
      await store.requeue(job.id);
      final = (await store.get(job.id))!;
    } else {
      await emit(
        result.status === "succeeded"
          ? jobEvents.done(result.reason)
          : result.status === "cancelled"
          ? jobEvents.cancelled(result.reason ?? result.status)
          : jobEvents.error(result.reason ?? result.status),
      );
      final = await store.finish(job.id, result);
    }
    if (first === GRACE_OVER) await settled;
    return final;
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/** The `retry` event of job `jobId`'s next retry for `reason`, or undefined when it had `max` already. */
async function nextRetry(
  store: RunJobStore,
  jobId: string,
  reason: string,
  max: number,
): Promise<NewJobEvent | undefined> {
  const done = (await store.listEvents(jobId)).filter((e) => e.kind === "retry").length;
  return done < max ? jobEvents.retry({ retry: done + 1, maxRetries: max, reason }) : undefined;
}

function decide(
  settled: Settled | undefined,
  signal: AbortSignal,
  options: RunJobOptions,
): JobOutcome | "requeue" {
  const outcome = settled && "outcome" in settled ? settled.outcome : undefined;
  const produced = {
    pullRequests: outcome?.pullRequests ?? [],
    ...(outcome?.workItems ? { workItems: outcome.workItems } : {}),
  };
  if (signal.aborted) {
    const abort = signal.reason instanceof JobAbort ? signal.reason : undefined;
    if (abort?.kind === "cancelled") return { status: "cancelled", reason: abort.message, ...produced };
    if (abort?.kind === "shutdown") {
      return options.requeueInterrupted
        ? "requeue"
        : { status: "failed", reason: INTERRUPTED_REASON, ...produced };
    }
    return { status: "failed", reason: abort?.message ?? "aborted", ...produced };
  }
  if (outcome) {
    return {
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...produced,
      ...(outcome.retry ? { retry: outcome.retry } : {}),
    };
  }
  const error = settled && "error" in settled ? settled.error : undefined;
  return {
    status: "failed",
    reason: errorText(error),
    pullRequests: [],
  };
}
