import { describe, expect, test } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../src/jobs/sqlite_migrations.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { describeJobStoreContract } from "./store_contract.ts";

// deno-lint-ignore require-await -- the contract opens stores asynchronously; SQLite's opens at once.
describeJobStoreContract("SQLite", async (options) => openSqliteStore(":memory:", options));

describe("SQLite job store: migrations", () => {
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
});
