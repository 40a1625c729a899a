/**
 * The job store's contract: what every {@link JobStore} answers, run against SQLite and PostgreSQL
 * alike (`sqlite_store.test.ts`, `pg_store.test.ts`). Each test gets a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import { jobEvents, workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { InvalidCursorError, type JobStore, QuotaExceededError } from "../../src/jobs/store.ts";

/** Opens a fresh, empty store with these options. */
export type OpenStore = (options: { idempotencyTtlMs: number; clock?: () => Date }) => Promise<JobStore>;

const USAGE = { inputTokens: 1000, outputTokens: 100, totalTokens: 1100, turns: 1 };
const QUOTA = { maxQueued: 3, usdPerDay: 10 };

/** Registers the contract's tests for the stores `open` makes. */
export function describeJobStoreContract(name: string, open: OpenStore): void {
  describe(`${name} job store (contract)`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await open({ idempotencyTtlMs: 86_400_000 });
    });
    afterEach(async () => {
      await store.close();
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
      const short = await open({ idempotencyTtlMs: 50 });
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
        await short.close();
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

    test("finish records the outcome and work items once (usage with cache writes by TTL); a final job is never overwritten", async () => {
      const job = await store.create({ repo: "acme/tasks", issue: 1 });
      await store.claimNext();
      await store.recordUsage(job.id, 12, { ...NO_USAGE, totalTokens: 100, costUsd: 0.5 });
      const pr = { issue: 12, number: 3, url: "https://github.example/acme/tasks/pull/3" };
      const usage = {
        inputTokens: 10,
        outputTokens: 5,
        ephemeral5mInputTokens: 30,
        ephemeral1hInputTokens: 70,
        totalTokens: 120,
        costUsd: 0.75,
        turns: 4,
      };
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

    test("a work item's publication is kept and given back; another work item has none", async () => {
      const job = await store.create({ repo: "acme/tasks", issue: 1 });
      const publication = {
        issue: 1,
        pullRequest: { issue: 1, number: 2, url: "https://github.example/acme/tasks/pull/2" },
        commitSha: "b".repeat(40),
        files: [{
          path: "a.py",
          status: "added" as const,
          additions: 1,
          deletions: 0,
          binary: false,
          patch: "@@ -0,0 +1,1 @@\n+a",
        }],
        criteriaMapping: "- **1.** done",
        tests: { command: "pytest", passed: 1, failed: 0, exitCode: 0, tail: "1 passed" },
      };
      await store.savePublication(job.id, publication);
      expect(await store.getPublication(job.id, 1)).toEqual(publication);
      await store.savePublication(job.id, { ...publication, criteriaMapping: "- **1.** redone" });
      expect((await store.getPublication(job.id, 1))?.criteriaMapping).toBe("- **1.** redone");
      expect(await store.getPublication(job.id, 2)).toBeUndefined();
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
      const closed = await open({ idempotencyTtlMs: 86_400_000 });
      await closed.close();
      await expect(closed.checkWritable()).rejects.toThrow();
    });
  });

  describe(`${name} job store: per-submitter quotas (contract)`, () => {
    let store: JobStore;
    let now: Date;
    beforeEach(async () => {
      now = new Date("2031-05-06T12:00:00.000Z");
      store = await open({ idempotencyTtlMs: 86_400_000, clock: () => now });
    });
    afterEach(async () => {
      await store.close();
    });

    const submit = (submitter: string | undefined, issue = 1) =>
      store.create({ repo: "acme/tasks", issue, ...(submitter ? { submitter } : {}) }, QUOTA);

    test("a burst of concurrent submissions from one submitter stops at maxQueued; others still get in", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => submit("key:ci", i + 1)),
      );
      const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
      expect(refused).toHaveLength(47);
      expect(refused[0]).toBeInstanceOf(QuotaExceededError);
      expect(refused[0]).toMatchObject({ quota: "queued", limit: 3, used: 3 });
      expect((await store.list({ limit: 100 })).jobs).toHaveLength(3);
      expect((await submit("key:other")).status).toBe("queued");
      // Without a recorded submitter (the CLI's own jobs are claimed at once) no quota applies.
      for (let i = 0; i < 5; i++) await submit(undefined);
    });

    test("only queued jobs count: a started or cancelled one frees a place", async () => {
      const jobs = [await submit("key:ci", 1), await submit("key:ci", 2), await submit("key:ci", 3)];
      await expect(submit("key:ci", 4)).rejects.toThrow(QuotaExceededError);
      await store.claimNext();
      await submit("key:ci", 5);
      await store.requestCancel(jobs[1]!.id, "cancelled by key:ci");
      await submit("key:ci", 6);
      await expect(submit("key:ci", 7)).rejects.toMatchObject({ quota: "queued" });
    });

    test("an Idempotency-Key repeat is answered at the quota; a new key is refused", async () => {
      const key = { principal: "key:ci", key: "k1", fingerprint: "f1" };
      const first = await store.createOnce({ repo: "acme/tasks", issue: 1, submitter: "key:ci" }, key, QUOTA);
      await submit("key:ci", 2);
      await submit("key:ci", 3);
      const again = await store.createOnce({ repo: "acme/tasks", issue: 1, submitter: "key:ci" }, key, QUOTA);
      expect(again).toEqual({ job: "job" in first ? first.job : undefined, created: false });
      await expect(
        store.createOnce({ repo: "acme/tasks", issue: 4, submitter: "key:ci" }, { ...key, key: "k2" }, QUOTA),
      ).rejects.toMatchObject({ quota: "queued", limit: 3 });
    });

    test("spend is counted per submitter and UTC day as usage is recorded, and gates new jobs", async () => {
      const job = await submit("key:ci");
      await store.claimNext();
      await store.recordUsage(job.id, 1, { ...USAGE, costUsd: 4 });
      await store.recordUsage(job.id, 1, { ...USAGE, costUsd: 6.5 });
      await store.recordUsage(job.id, 2, { ...USAGE, costUsd: 1.5 });
      expect(await store.spentToday("key:ci")).toBe(8);
      expect(await store.spentToday("key:other")).toBe(0);
      // The final word on a work item counts what was not recorded yet, and nothing twice.
      await store.finish(job.id, {
        status: "failed",
        reason: "x",
        pullRequests: [],
        workItems: [
          { issue: 1, status: "budget_exceeded", usage: { ...USAGE, costUsd: 7 } },
          { issue: 2, status: "submitted", usage: { ...USAGE, costUsd: 3 } },
        ],
      });
      expect(await store.spentToday("key:ci")).toBe(10);
      await expect(submit("key:ci", 2)).rejects.toMatchObject({ quota: "usd_per_day", limit: 10, used: 10 });
      expect((await submit("key:other")).status).toBe("queued");
    });

    test("spend counts on the UTC day it was recorded: a new day starts from zero", async () => {
      const job = await submit("key:ci");
      await store.claimNext();
      now = new Date("2031-05-06T23:59:00.000Z");
      await store.recordUsage(job.id, 1, { ...USAGE, costUsd: 10 });
      await expect(submit("key:ci", 2)).rejects.toMatchObject({ quota: "usd_per_day" });
      now = new Date("2031-05-07T00:00:01.000Z");
      expect(await store.spentToday("key:ci")).toBe(0);
      await store.recordUsage(job.id, 1, { ...USAGE, costUsd: 12 });
      expect(await store.spentToday("key:ci")).toBe(2);
      expect((await submit("key:ci", 2)).status).toBe("queued");
    });

    test("a submitter at its running cap is skipped: its jobs stay queued and another submitter's start", async () => {
      const a = [await submit("key:a", 1), await submit("key:a", 2), await submit("key:a", 3)];
      const b = await submit("key:b", 1);
      const cap = { maxRunningPerSubmitter: 1 };
      expect((await store.claimNext(cap))?.id).toBe(a[0]!.id);
      expect((await store.claimNext(cap))?.id).toBe(b.id);
      expect(await store.claimNext(cap)).toBeUndefined();
      expect((await store.get(a[1]!.id))?.status).toBe("queued");
      await store.finish(a[0]!.id, { status: "succeeded", pullRequests: [] });
      expect((await store.claimNext(cap))?.id).toBe(a[1]!.id);
    });

    test("submitters take turns: the one whose last job started longest ago goes first, each in order", async () => {
      for (let i = 1; i <= 4; i++) await store.create({ repo: "acme/tasks", issue: i, submitter: "key:a" });
      const claimed: string[] = [];
      const take = async () => {
        const job = (await store.claimNext())!;
        claimed.push(`${job.submitter}#${job.issue}`);
        await store.finish(job.id, { status: "succeeded", pullRequests: [] });
      };
      await take();
      // key:b arrives behind key:a's backlog, and has not had a turn yet.
      await store.create({ repo: "acme/tasks", issue: 1, submitter: "key:b" });
      await store.create({ repo: "acme/tasks", issue: 2, submitter: "key:b" });
      await take();
      await take();
      await take();
      await take();
      await take();
      expect(claimed).toEqual(["key:a#1", "key:b#1", "key:a#2", "key:b#2", "key:a#3", "key:a#4"]);
    });
  });
}
