/**
 * A store write that fails while a job runs is reported, not left floating: the job still ends
 * with a recorded status, the worker takes the next job, and no rejection goes unhandled (one
 * would end the process under Deno).
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { createJobChanges, notifyingStore } from "../../src/jobs/job_changes.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { startWorker, type Worker } from "../../src/jobs/worker.ts";
import type { Pipeline } from "../../src/pipeline/pipeline_contract.ts";
import { failOnce } from "./failing_store.ts";
import { WORKER_SETTINGS } from "./holding_pipeline.ts";

describe("a failing store write during a run", () => {
  let inner: JobStore;
  let worker: Worker | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    unhandled.push(event.reason);
  };
  beforeEach(() => {
    inner = openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000 });
    unhandled.length = 0;
    globalThis.addEventListener("unhandledrejection", onUnhandled);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    inner.close();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  });

  const emitting: Pipeline = async (_job, emit) => {
    const item = workItemEvents(7);
    await emit(jobEvents.workItems({ issues: [7] }));
    await emit(item.tool({ turn: 1, tool: "bash", summary: "bash: pytest -q" }));
    await emit(item.test({ command: "pytest -q", passed: 3, failed: 0, exitCode: 0 }));
    return { status: "succeeded", pullRequests: [] };
  };

  test.each(["step", "tool", "done"])(
    "an event write (the first `%s`) that rejects once: the job still succeeds and the next one runs",
    async (kind) => {
      const failing = failOnce(inner, "appendEvent", (_, event) => (event as { kind: string }).kind === kind);
      const store = notifyingStore(failing.store, createJobChanges());
      const first = await store.create({ repo: "acme/tasks", issue: 7 });
      const second = await store.create({ repo: "acme/tasks", issue: 8 });
      worker = startWorker(store, emitting, WORKER_SETTINGS);
      await worker.idle();
      expect(failing.failed).toHaveLength(1);
      expect(await store.get(first.id)).toMatchObject({ status: "succeeded" });
      expect(await store.get(second.id)).toMatchObject({ status: "succeeded" });
      const all = ["step", "work_items", "tool", "test", "done"];
      const withoutFailed = all.filter((_, i) => i !== all.indexOf(kind));
      expect((await store.listEvents(first.id)).map((e) => [e.seq, e.kind])).toEqual(
        withoutFailed.map((k, i) => [i + 1, k]),
      );
      expect((await store.listEvents(second.id)).map((e) => e.kind)).toEqual(all);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    },
  );

  test("recording the job's end fails: the worker reports it and keeps taking jobs (start-up recovery ends it)", async () => {
    const failing = failOnce(inner, "finish");
    const store = notifyingStore(failing.store, createJobChanges());
    const first = await store.create({ repo: "acme/tasks", issue: 7 });
    const second = await store.create({ repo: "acme/tasks", issue: 8 });
    worker = startWorker(store, emitting, WORKER_SETTINGS);
    await worker.idle();
    expect(failing.failed).toHaveLength(1);
    expect((await store.get(first.id))?.status).toBe("running");
    expect(await store.get(second.id)).toMatchObject({ status: "succeeded" });
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  });
});
