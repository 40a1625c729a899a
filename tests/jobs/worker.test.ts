import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createJobChanges, notifyingStore } from "../../src/jobs/job_changes.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { startWorker, type Worker } from "../../src/jobs/worker.ts";
import { holdingPipeline, WORKER_SETTINGS } from "./holding_pipeline.ts";
import { LOST_HOST, lostHostPipeline } from "./lost_host_pipeline.ts";

const until = async (check: () => Promise<boolean>, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("worker", () => {
  let store: JobStore;
  let worker: Worker | undefined;
  beforeEach(() => {
    store = notifyingStore(openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000 }), createJobChanges());
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    store.close();
  });

  test("runs at most `concurrency` jobs at once and then the rest, in submission order", async () => {
    const held = holdingPipeline();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await store.create({ repo: "acme/tasks", issue: i })).id);
    worker = startWorker(store, held.pipeline, { ...WORKER_SETTINGS, concurrency: 2 });
    await held.whenActive(2);
    expect([...held.active]).toEqual(ids.slice(0, 2));
    expect(worker.running()).toBe(2);
    while ((await store.list({ limit: 10, status: "succeeded" })).jobs.length < 5) {
      held.release();
      await new Promise((r) => setTimeout(r, 5));
    }
    await worker.idle();
    expect(held.maxActive).toBe(2);
    for (const id of ids) {
      const events = await store.listEvents(id);
      expect(events[0]).toMatchObject({
        seq: 1,
        kind: "step",
        message: expect.stringMatching(/^started acme\/tasks#/),
      });
      expect(events.at(-1)).toMatchObject({ kind: "done" });
    }
  });

  test("a job whose work item lost its Docker host goes back in the queue, saying why, up to JOBS_HOST_RETRIES times", async () => {
    const { pipeline, runs } = lostHostPipeline(1);
    const retried = await store.create({ repo: "acme/tasks", issue: 1 });
    worker = startWorker(store, pipeline, { ...WORKER_SETTINGS, hostRetries: 2 });
    await until(async () => (await store.get(retried.id))?.status === "succeeded");
    expect(runs.get(retried.id)).toBe(2);
    const events = await store.listEvents(retried.id);
    expect(events.filter((e) => e.kind === "retry").map((e) => e.data)).toEqual([
      { retry: 1, maxRetries: 2, reason: `#1: Docker host ${LOST_HOST} stopped answering` },
    ]);
    await worker.stop();

    const always = lostHostPipeline(9);
    const failing = await store.create({ repo: "acme/tasks", issue: 2 });
    worker = startWorker(store, always.pipeline, { ...WORKER_SETTINGS, hostRetries: 2 });
    await until(async () => (await store.get(failing.id))?.status === "failed");
    expect(always.runs.get(failing.id)).toBe(3);
    expect((await store.get(failing.id))?.reason).toBe(
      `#2 error: Docker host ${LOST_HOST} stopped answering`,
    );
    expect((await store.listEvents(failing.id)).filter((e) => e.kind === "retry")).toHaveLength(2);
  });

  test("cancelling a running job aborts its pipeline's signal and ends it cancelled", async () => {
    const held = holdingPipeline();
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    worker = startWorker(store, held.pipeline, WORKER_SETTINGS);
    await held.whenActive(1);
    expect(worker.cancel(job.id, "cancelled by key:ci")).toBe(true);
    await until(async () => (await store.get(job.id))?.status === "cancelled");
    expect(held.aborted.get(job.id)).toBe("cancelled by key:ci");
    const final = await store.get(job.id);
    expect(final).toMatchObject({ status: "cancelled", reason: "cancelled by key:ci" });
    expect(final?.finishedAt).toEqual(expect.any(String));
    expect((await store.listEvents(job.id)).at(-1)).toMatchObject({
      kind: "cancelled",
      message: "cancelled by key:ci",
    });
    expect(worker.cancel(job.id, "again")).toBe(false);
  });

  test("a pipeline that ignores the signal is recorded cancelled after the grace period, and keeps its slot", async () => {
    const held = holdingPipeline({ ignoreSignal: true });
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    const next = await store.create({ repo: "acme/tasks", issue: 2 });
    worker = startWorker(store, held.pipeline, { ...WORKER_SETTINGS, cancelGraceMs: 50 });
    await held.whenActive(1);
    worker.cancel(job.id, "cancelled by key:ci");
    await until(async () => (await store.get(job.id))?.status === "cancelled");
    expect((await store.get(next.id))?.status).toBe("queued");
    held.release(job.id);
    await until(() => Promise.resolve(held.active.has(next.id)));
    held.release(next.id);
    await worker.idle();
    expect((await store.get(job.id))?.status).toBe("cancelled");
  });

  test("a job flagged for cancel before its pipeline starts never runs it", async () => {
    const held = holdingPipeline();
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    await store.claimNext();
    await store.requestCancel(job.id, "cancelled by key:ci");
    await store.requeue(job.id);
    worker = startWorker(store, held.pipeline, WORKER_SETTINGS);
    await worker.idle();
    expect(held.maxActive).toBe(0);
    expect(await store.get(job.id)).toMatchObject({ status: "cancelled", reason: "cancelled by key:ci" });
  });

  test("a job past its deadline is aborted and fails saying so", async () => {
    const held = holdingPipeline();
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    worker = startWorker(store, held.pipeline, { ...WORKER_SETTINGS, deadlineMs: 50 });
    await worker.idle();
    expect(await store.get(job.id)).toMatchObject({
      status: "failed",
      reason: "deadline_exceeded: the job ran longer than 50 ms",
    });
    expect(held.aborted.has(job.id)).toBe(true);
  });

  test("what a pipeline throws becomes the failure reason; its outcome's work items are kept", async () => {
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    const other = await store.create({ repo: "acme/tasks", issue: 2 });
    const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3, costUsd: 0.01, turns: 1 };
    worker = startWorker(store, (j) => {
      if (j.id === job.id) return Promise.reject(new Error("Cannot seed sandbox: archive too large"));
      return Promise.resolve({
        status: "failed",
        reason: "#2 tests_failed: pytest exited 1",
        pullRequests: [],
        workItems: [{ issue: 2, title: "t", status: "tests_failed", reason: "pytest exited 1", usage }],
      });
    }, WORKER_SETTINGS);
    await worker.idle();
    expect(await store.get(job.id)).toMatchObject({
      status: "failed",
      reason: "Cannot seed sandbox: archive too large",
    });
    expect(await store.get(other.id)).toMatchObject({
      status: "failed",
      workItems: [{ issue: 2, status: "tests_failed", usage }],
      usage,
    });
  });

  test("stop() aborts running jobs: they fail as interrupted, or go back in the queue", async () => {
    const held = holdingPipeline();
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    const stopping = startWorker(store, held.pipeline, WORKER_SETTINGS);
    await held.whenActive(1);
    await stopping.stop();
    expect(await store.get(job.id)).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^interrupted: /),
    });

    const again = await store.create({ repo: "acme/tasks", issue: 2 });
    const requeuing = startWorker(store, held.pipeline, { ...WORKER_SETTINGS, requeueInterrupted: true });
    await held.whenActive(1);
    await requeuing.stop();
    expect(await store.get(again.id)).toMatchObject({ status: "queued" });
  });

  test("one submitter's backlog does not starve another's job, even with one slot", async () => {
    const held = holdingPipeline();
    const backlog = [];
    for (let i = 1; i <= 5; i++) {
      backlog.push((await store.create({ repo: "acme/tasks", issue: i, submitter: "key:a" })).id);
    }
    worker = startWorker(store, held.pipeline, {
      ...WORKER_SETTINGS,
      concurrency: 1,
      maxRunningPerPrincipal: 4,
    });
    await held.whenActive(1);
    expect([...held.active]).toEqual([backlog[0]]);
    const other = await store.create({ repo: "acme/tasks", issue: 1, submitter: "key:b" });
    held.release(backlog[0]);
    await until(() => Promise.resolve(held.active.has(other.id)));
    expect((await store.get(backlog[1]!))?.status).toBe("queued");
  });

  test("a worker with no slots claims nothing", async () => {
    const held = holdingPipeline();
    await store.create({ repo: "acme/tasks", issue: 1 });
    worker = startWorker(store, held.pipeline, { ...WORKER_SETTINGS, concurrency: 0 });
    worker.kick();
    await worker.idle();
    expect((await store.list({ limit: 10, status: "queued" })).jobs).toHaveLength(1);
  });
});
