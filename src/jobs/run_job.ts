/**
 * Runs one claimed job through the pipeline and records how it ended: the
 * worker's unit of work, and what `deno task run` uses for its single job.
 */
import type { Job } from "./job.ts";
import { JobAbort } from "./job_abort.ts";
import type { JobResult, JobStore } from "./store.ts";
import type { JobOutcome, Pipeline } from "../pipeline/pipeline_contract.ts";

/** Options for {@link runJob}. */
export interface RunJobOptions {
  /** Most milliseconds a job may run; then its signal aborts and it fails. Default: no deadline. */
  deadlineMs?: number;
  /**
   * After an abort, how long to wait for the pipeline before recording the job's end
   * anyway (the pipeline keeps its slot until it returns). Default 10000.
   */
  cancelGraceMs?: number;
  /** A job stopped by a shutdown goes back in the queue instead of failing. Default false. */
  requeueInterrupted?: boolean;
  /** Aborts the pipeline; the worker keeps it to cancel the job. Default: a new one. */
  controller?: AbortController;
}

const INTERRUPTED = "interrupted: the service stopped while the job was running; submit it again to retry";
const GRACE_OVER = Symbol("grace over");
type Settled = { outcome: JobOutcome } | { error: unknown };

/**
 * Runs `job` (already claimed: `running`) and records its end.
 * @returns the job as stored at the end (still `queued` when requeued).
 * @throws only when the store fails.
 */
export async function runJob(
  store: JobStore,
  pipeline: Pipeline,
  job: Job,
  options: RunJobOptions = {},
): Promise<Job> {
  const controller = options.controller ?? new AbortController();
  const signal = controller.signal;
  const log = async (kind: string, message: string) => {
    await store.appendEvent(job.id, { kind, message });
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
    await log("step", `started ${job.repo}#${job.issue}`);
    const settled: Promise<Settled> = signal.aborted
      ? Promise.resolve({ error: signal.reason })
      : pipeline(job, log, signal).then((outcome) => ({ outcome }), (error) => ({ error }));
    const graceOver = new Promise<typeof GRACE_OVER>((resolve) => {
      const startGrace = () =>
        timers.push(setTimeout(() => resolve(GRACE_OVER), options.cancelGraceMs ?? 10_000));
      if (signal.aborted) startGrace();
      else signal.addEventListener("abort", startGrace, { once: true });
    });
    const first = await Promise.race([settled, graceOver]);
    const result = decide(first === GRACE_OVER ? undefined : first, signal, options);
    let final: Job;
    if (result === "requeue") {
      await log("step", "interrupted by a shutdown; back in the queue");
      await store.requeue(job.id);
      final = (await store.get(job.id))!;
    } else {
      const kind = result.status === "succeeded"
        ? "done"
        : result.status === "cancelled"
        ? "cancelled"
        : "error";
      await log(kind, result.reason ?? result.status);
      final = await store.finish(job.id, result);
    }
    if (first === GRACE_OVER) await settled;
    return final;
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

function decide(
  settled: Settled | undefined,
  signal: AbortSignal,
  options: RunJobOptions,
): JobResult | "requeue" {
  const outcome = settled && "outcome" in settled ? settled.outcome : undefined;
  const produced = {
    pullRequests: outcome?.pullRequests ?? [],
    ...(outcome?.workItems ? { workItems: outcome.workItems } : {}),
  };
  if (signal.aborted) {
    const abort = signal.reason instanceof JobAbort ? signal.reason : undefined;
    if (abort?.kind === "cancelled") return { status: "cancelled", reason: abort.message, ...produced };
    if (abort?.kind === "shutdown") {
      return options.requeueInterrupted ? "requeue" : { status: "failed", reason: INTERRUPTED, ...produced };
    }
    return { status: "failed", reason: abort?.message ?? "aborted", ...produced };
  }
  if (outcome) {
    return { status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}), ...produced };
  }
  const error = settled && "error" in settled ? settled.error : undefined;
  return {
    status: "failed",
    reason: error instanceof Error ? error.message : String(error),
    pullRequests: [],
  };
}
