import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { migrate, MIGRATIONS } from "../../src/jobs/sqlite_migrations.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { InvalidCursorError, type JobStore } from "../../src/jobs/store.ts";

describe("SQLite job store", () => {
  let store: JobStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000 });
  });
  afterEach(() => store.close());

  test("a version-1 database is migrated in place, keeping its jobs, events and trajectories", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/jobs.sqlite`;
    const old = new DatabaseSync(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    old.exec(`INSERT INTO jobs (id, repo, issue, status, created_at, updated_at)
              VALUES ('old-1', 'acme/tasks', 3, 'succeeded', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
              INSERT INTO job_events (job_id, seq, at, kind, message) VALUES ('old-1', 1, '2026-01-01T00:00:00.000Z', 'done', 'ok');`);
    old.close();
    const upgraded = openSqliteStore(path, { idempotencyTtlMs: 86_400_000 });
    try {
      expect(await upgraded.get("old-1")).toMatchObject({
        repo: "acme/tasks",
        status: "succeeded",
        workItems: [],
        usage: { totalTokens: 0, costUsd: 0 },
        cancelRequested: false,
      });
      expect(await upgraded.listEvents("old-1")).toHaveLength(1);
      expect((await upgraded.listEvents("old-1"))[0]).toMatchObject({
        kind: "done",
        message: "ok",
        data: { status: "succeeded" },
      });
      const next = await upgraded.create({ repo: "acme/tasks", issue: 4 });
      const page = await upgraded.list({ limit: 10 });
      expect(page.jobs.map((j) => j.id)).toEqual([next.id, "old-1"]);
    } finally {
      upgraded.close();
    }
    const db = new DatabaseSync(path);
    expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
    await Deno.remove(dir, { recursive: true });
  });

  test("createOnce returns the first job for a repeated key, a conflict for another request", async () => {
    const key = { principal: "key:ci", key: "k1", fingerprint: "f1" };
    const first = await store.createOnce({ repo: "acme/tasks", issue: 1, submitter: "key:ci" }, key);
    expect("job" in first && first.created).toBe(true);
    const again = await store.createOnce({ repo: "acme/tasks", issue: 1, submitter: "key:ci" }, key);
    expect(again).toMatchObject({ created: false, job: { id: "job" in first ? first.job.id : "" } });
    const clash = await store.createOnce({ repo: "acme/tasks", issue: 2 }, { ...key, fingerprint: "f2" });
    expect("conflict" in clash).toBe(true);
    const other = await store.createOnce({ repo: "acme/tasks", issue: 1 }, {
      ...key,
      principal: "key:other",
    });
    expect(other).toMatchObject({ created: true });
    expect((await store.list({ limit: 10 })).jobs).toHaveLength(2);
  });

  test("an idempotency key is free again once its time to live has passed", async () => {
    const short = openSqliteStore(":memory:", { idempotencyTtlMs: 50 });
    try {
      const key = { principal: "key:ci", key: "nightly", fingerprint: "f1" };
      const first = await short.createOnce({ repo: "acme/tasks", issue: 1 }, key);
      const within = await short.createOnce({ repo: "acme/tasks", issue: 1 }, key);
      expect(within).toMatchObject({ created: false });
      await new Promise((r) => setTimeout(r, 120));
      const later = await short.createOnce({ repo: "acme/tasks", issue: 1 }, { ...key, fingerprint: "f2" });
      expect(later).toMatchObject({ created: true });
      expect("job" in later && "job" in first && later.job.id !== first.job.id).toBe(true);
    } finally {
      short.close();
    }
  });

  test("claimNext takes queued jobs oldest first, or the one asked for, and stamps startedAt", async () => {
    const a = await store.create({ repo: "acme/tasks", issue: 1 });
    const b = await store.create({ repo: "acme/tasks", issue: 2 });
    const c = await store.create({ repo: "acme/tasks", issue: 3 });
    expect((await store.claimNext({ id: c.id }))?.id).toBe(c.id);
    expect(await store.claimNext({ id: c.id })).toBeUndefined();
    const claimed = await store.claimNext();
    expect(claimed).toMatchObject({ id: a.id, status: "running" });
    expect(claimed?.startedAt).toEqual(expect.any(String));
    expect((await store.claimNext())?.id).toBe(b.id);
    expect(await store.claimNext()).toBeUndefined();
  });

  test("finish records the outcome and work items once; a final job is never overwritten", async () => {
    const job = await store.create({ repo: "acme/tasks", issue: 1 });
    await store.claimNext();
    await store.recordUsage(job.id, 12, { ...NO_USAGE, totalTokens: 100, costUsd: 0.5 });
    const pr = { issue: 12, number: 3, url: "https://github.example/acme/tasks/pull/3" };
    const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 120, costUsd: 0.75, turns: 4 };
    const done = await store.finish(job.id, {
      status: "succeeded",
      pullRequests: [pr],
      workItems: [{ issue: 12, title: "[dev] Stats", status: "submitted", pullRequest: pr, usage }],
    });
    expect(done).toMatchObject({ status: "succeeded", pullRequests: [pr], usage });
    expect(done.workItems).toEqual([{
      issue: 12,
      title: "[dev] Stats",
      status: "submitted",
      pullRequest: pr,
      usage,
    }]);
    expect(done.finishedAt).toEqual(expect.any(String));
    const again = await store.finish(job.id, { status: "failed", reason: "late", pullRequests: [] });
    expect(again).toMatchObject({ status: "succeeded", pullRequests: [pr] });
    await expect(store.finish("nope", { status: "failed", pullRequests: [] })).rejects.toThrow(
      /No job "nope"/,
    );
  });

  test("requestCancel cancels a queued job, flags a running one, leaves a final one", async () => {
    const queued = await store.create({ repo: "acme/tasks", issue: 1 });
    expect(await store.requestCancel(queued.id, "cancelled by key:ci")).toMatchObject({
      cancelled: true,
      job: { status: "cancelled", reason: "cancelled by key:ci" },
    });
    const running = await store.create({ repo: "acme/tasks", issue: 2 });
    await store.claimNext();
    expect(await store.requestCancel(running.id, "stop")).toMatchObject({
      cancelled: false,
      job: { status: "running", cancelRequested: true },
    });
    expect(await store.requestCancel("nope", "x")).toBeUndefined();
  });

  test("recoverInterrupted fails running jobs as interrupted, or requeues them; a cancel asked for wins", async () => {
    const a = await store.create({ repo: "acme/tasks", issue: 1 });
    const b = await store.create({ repo: "acme/tasks", issue: 2 });
    const c = await store.create({ repo: "acme/tasks", issue: 3 });
    await store.claimNext();
    await store.claimNext();
    await store.requestCancel(b.id, "cancelled by key:ci");
    const recovered = await store.recoverInterrupted({ requeue: false });
    expect(recovered.map((j) => [j.id, j.status])).toEqual([[b.id, "cancelled"], [a.id, "failed"]]);
    expect((await store.get(a.id))?.reason).toMatch(/^interrupted: /);
    expect((await store.get(c.id))?.status).toBe("queued");

    await store.claimNext();
    const requeued = await store.recoverInterrupted({ requeue: true });
    expect(requeued.map((j) => [j.id, j.status, j.startedAt])).toEqual([[c.id, "queued", undefined]]);
  });

  test("events are numbered 1, 2, 3… per job and listed after a sequence number, with a limit", async () => {
    const a = await store.create({ repo: "acme/tasks", issue: 1 });
    const b = await store.create({ repo: "acme/tasks", issue: 2 });
    for (let i = 0; i < 5; i++) await store.appendEvent(a.id, jobEvents.step(`a${i}`));
    await store.appendEvent(b.id, jobEvents.step("b0"));
    expect((await store.listEvents(a.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.listEvents(a.id, 2, 2)).map((e) => e.message)).toEqual(["a2", "a3"]);
    expect((await store.listEvents(b.id)).map((e) => e.seq)).toEqual([1]);
  });

  test("events are stored and listed with their data", async () => {
    const job = await store.create({ repo: "acme/tasks", issue: 12 });
    const item = workItemEvents(12);
    const written = [
      jobEvents.workItems({ issues: [12] }),
      item.usage({ turn: 3, inputTokens: 10, outputTokens: 5, totalTokens: 40, costUsd: 0.0125 }),
      item.test({ command: "pytest -q", passed: 4, failed: 1, exitCode: 1 }),
      item.notCommitted([{ path: ".github/workflows/ci.yml", reason: "a protected path" }]),
      jobEvents.cancelled("cancelled by key:ci"),
    ];
    const appended = [];
    for (const event of written) appended.push(await store.appendEvent(job.id, event));
    expect(appended.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const listed = await store.listEvents(job.id);
    expect(listed).toEqual(appended);
    expect(listed.map(({ kind, message, data }) => ({ kind, message, data }))).toEqual(written);
  });

  test("events stored before events had data are read by their kind, or as steps that name it", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/jobs.sqlite`;
    const old = new DatabaseSync(path);
    migrate(old, MIGRATIONS.slice(0, 2));
    const at = "2026-01-01T00:00:00.000Z";
    old.exec(`INSERT INTO jobs (id, repo, issue, status, created_at, updated_at)
              VALUES ('old-2', 'acme/tasks', 3, 'cancelled', '${at}', '${at}')`);
    const rows = [
      ["step", "started acme/tasks#3"],
      ["tool", "#3: bash: ls"],
      ["usage", "#3: turn 1: 100 tokens, $0.0010"],
      ["error", "#3: Cannot create sandbox"],
      ["cancelled", "cancelled by key:ci"],
    ];
    const insert = old.prepare(
      "INSERT INTO job_events (job_id, seq, at, kind, message) VALUES ('old-2', ?, ?, ?, ?)",
    );
    rows.forEach(([kind, message], i) => insert.run(i + 1, at, kind!, message!));
    old.close();
    const upgraded = openSqliteStore(path, { idempotencyTtlMs: 86_400_000 });
    try {
      expect((await upgraded.listEvents("old-2")).map(({ kind, message, data }) => ({ kind, message, data })))
        .toEqual([
          { kind: "step", message: "started acme/tasks#3", data: {} },
          { kind: "step", message: "#3: bash: ls", data: { legacyKind: "tool" } },
          { kind: "step", message: "#3: turn 1: 100 tokens, $0.0010", data: { legacyKind: "usage" } },
          { kind: "error", message: "#3: Cannot create sandbox", data: {} },
          {
            kind: "cancelled",
            message: "cancelled by key:ci",
            data: { status: "cancelled", reason: "cancelled by key:ci" },
          },
        ]);
    } finally {
      upgraded.close();
    }
    const db = new DatabaseSync(path);
    expect(() => db.exec("UPDATE job_events SET data = 'not json' WHERE seq = 1")).toThrow(/CHECK/);
    db.close();
    await Deno.remove(dir, { recursive: true });
  });

  test("list matches repository globs case-insensitively and refuses a foreign cursor", async () => {
    for (const repo of ["acme/api", "Acme/Web", "globex/api"]) await store.create({ repo, issue: 1 });
    const acme = await store.list({ limit: 10, repoPatterns: ["acme/*"] });
    expect(acme.jobs.map((j) => j.repo)).toEqual(["Acme/Web", "acme/api"]);
    const apis = await store.list({ limit: 10, repoPatterns: ["*/api"] });
    expect(apis.jobs.map((j) => j.repo)).toEqual(["globex/api", "acme/api"]);
    expect((await store.list({ limit: 10, repoPatterns: [] })).jobs).toEqual([]);
    await expect(store.list({ limit: 10, cursor: "garbage" })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  test("checkWritable writes; a closed store says so", async () => {
    await expect(store.checkWritable()).resolves.toBeUndefined();
    const closed = openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000 });
    closed.close();
    await expect(closed.checkWritable()).rejects.toThrow();
  });
});
