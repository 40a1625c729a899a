import { describe, expect, test } from "vitest";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../src/jobs/sqlite_migrations.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";

describe("SQLite job store: per-submitter quotas", () => {
  let now = new Date("2031-05-06T12:00:00.000Z");

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
