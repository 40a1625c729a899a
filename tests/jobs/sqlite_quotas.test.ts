import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../src/jobs/sqlite_migrations.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { type JobStore, QuotaExceededError } from "../../src/jobs/store.ts";

const USAGE = { inputTokens: 1000, outputTokens: 100, totalTokens: 1100, turns: 1 };
const QUOTA = { maxQueued: 3, usdPerDay: 10 };

describe("SQLite job store: per-submitter quotas", () => {
  let store: JobStore;
  let now: Date;
  beforeEach(() => {
    now = new Date("2031-05-06T12:00:00.000Z");
    store = openSqliteStore(":memory:", { idempotencyTtlMs: 86_400_000, clock: () => now });
  });
  afterEach(() => store.close());

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

  test("migration 4 counts the spend already recorded on the day each job started", async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/jobs.sqlite`;
    const old = new DatabaseSync(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(
      `INSERT INTO jobs (id, repo, issue, status, submitter, created_at, updated_at, started_at, position)
              VALUES ('j1', 'acme/tasks', 1, 'succeeded', 'key:ci', '2031-05-06T01:00:00.000Z',
                      '2031-05-06T02:00:00.000Z', '2031-05-06T01:00:01.000Z', 1),
                     ('j2', 'acme/tasks', 2, 'failed', 'key:ci', '2031-05-05T01:00:00.000Z',
                      '2031-05-05T02:00:00.000Z', '2031-05-05T01:00:01.000Z', 2);
              INSERT INTO work_items (job_id, issue, status, cost_usd) VALUES
                ('j1', 1, 'submitted', 1.25), ('j1', 2, 'submitted', 0.75), ('j2', 2, 'error', 9);`,
    );
    old.close();
    const upgraded = openSqliteStore(path, { idempotencyTtlMs: 86_400_000, clock: () => now });
    try {
      expect(await upgraded.spentToday("key:ci")).toBe(2);
      now = new Date("2031-05-05T12:00:00.000Z");
      expect(await upgraded.spentToday("key:ci")).toBe(9);
    } finally {
      upgraded.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});
