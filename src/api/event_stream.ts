/**
 * A job's progress events as Server-Sent Events: every event carries
 * `id: <seq>`, so a client that reconnects with `Last-Event-ID` (or `?after=`)
 * continues with no gap and no repeat. New events stream as they happen; once
 * the job is final and every event is sent, an `end` event closes the stream.
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { isFinal } from "../contracts/job.ts";
import type { JobEventStore, JobReadModel } from "../jobs/store.ts";
import type { ApiDeps, ApiEnv } from "./api_env.ts";
import { sleepUnlessAborted } from "../sleep_unless_aborted.ts";

const PAGE = 500;
const HEARTBEAT_MS = 15_000;
const POLL_MS = 500;

/**
 * Streams job `jobId`'s events after `afterSeq`; `onClose` runs once when the stream ends, however
 * it ends (job final, client gone, service stopping, a failed read).
 */
export function streamJobEvents(
  c: Context<ApiEnv>,
  deps: Pick<ApiDeps, "changes" | "stopping"> & { store: JobEventStore & Pick<JobReadModel, "get"> },
  options: { jobId: string; afterSeq: number; onClose: () => void },
): Response {
  return streamSSE(c, async (stream) => {
    try {
      await pump(stream, deps, options);
    } finally {
      options.onClose();
    }
  });
}

async function pump(
  stream: SSEStreamingApi,
  deps: Parameters<typeof streamJobEvents>[1],
  options: { jobId: string; afterSeq: number },
): Promise<void> {
  const { store, changes } = deps;
  const { jobId } = options;
  const closed = new AbortController();
  stream.onAbort(() => closed.abort());
  // A stopping service closes the stream; the client reconnects with Last-Event-ID.
  const stop = () => closed.abort();
  if (deps.stopping?.aborted) return;
  deps.stopping?.addEventListener("abort", stop, { once: true });
  try {
    let last = options.afterSeq;
    let quietSince = Date.now();
    await stream.write("retry: 2000\n\n");
    while (!closed.signal.aborted) {
      const version = changes?.version(jobId) ?? 0;
      // Read the status before the events: if it was final then, every event is already stored.
      const job = await store.get(jobId);
      const events = await store.listEvents(jobId, last, PAGE);
      for (const event of events) {
        await stream.writeSSE({ id: String(event.seq), data: JSON.stringify(event) });
        last = event.seq;
      }
      if (events.length === PAGE) continue;
      if (!job || isFinal(job.status)) {
        await stream.writeSSE({
          event: "end",
          id: String(last),
          data: JSON.stringify({
            status: job?.status ?? "gone",
            ...(job?.reason ? { reason: job.reason } : {}),
          }),
        });
        return;
      }
      if (events.length > 0) quietSince = Date.now();
      if (changes) await changes.wait(jobId, version, { timeoutMs: HEARTBEAT_MS, signal: closed.signal });
      else await sleepUnlessAborted(POLL_MS, closed.signal);
      if (Date.now() - quietSince >= HEARTBEAT_MS && !closed.signal.aborted) {
        await stream.write(": keep-alive\n\n");
        quietSince = Date.now();
      }
    }
  } finally {
    deps.stopping?.removeEventListener("abort", stop);
  }
}
