/**
 * The one migration runner, on both stores' real databases: each migration applied once and recorded,
 * also when two connections (SQLite) or two replicas' pools (PostgreSQL) migrate at the same time; a
 * failing migration rolled back alone, named by its version; a database newer than the code refused.
 */
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/postgres.ts";
import { MigrationError } from "../../src/jobs/migration_runner.ts";
import { migratePg, PG_MIGRATIONS } from "../../src/jobs/pg_migrations.ts";
import { openPgStore } from "../../src/jobs/pg_store.ts";
import { migrate, MIGRATIONS } from "../../src/jobs/sqlite_migrations.ts";

/** Each migration counts itself in `applied`: a row per run. */
const COUNTED = [
  "CREATE TABLE applied (version INTEGER NOT NULL); INSERT INTO applied VALUES (1);",
  "INSERT INTO applied VALUES (2);",
  "INSERT INTO applied VALUES (3);",
];

describe("SQLite", () => {
  const file = () => `${Deno.makeTempDirSync({ prefix: "migrations-" })}/jobs.sqlite`;

  test("each migration is applied once: a second connection and a later run apply only what is not recorded yet", () => {
    const path = file();
    const [a, b] = [new DatabaseSync(path), new DatabaseSync(path)];
    for (const db of [a, b]) db.exec("PRAGMA busy_timeout = 5000");
    migrate(a, COUNTED.slice(0, 2));
    migrate(b, COUNTED);
    migrate(a, COUNTED);
    expect(a.prepare("SELECT version FROM applied ORDER BY version").all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect(a.prepare("SELECT version FROM schema_migrations ORDER BY version").all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect(a.prepare("PRAGMA user_version").get()).toEqual({ user_version: 3 });
  });

  test("a file migrated before schema_migrations existed (user_version only) continues from its version", () => {
    const db = new DatabaseSync(file());
    db.exec(`${COUNTED[0]} ${COUNTED[1]} PRAGMA user_version = 2;`);
    migrate(db, COUNTED);
    expect(db.prepare("SELECT version FROM applied ORDER BY version").all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect(db.prepare("SELECT version FROM schema_migrations").all()).toEqual([{ version: 3 }]);
  });

  test("a failing migration is rolled back alone and named; the ones before it stay", () => {
    const db = new DatabaseSync(file());
    const error = catchSync(() =>
      migrate(db, [COUNTED[0]!, "INSERT INTO applied VALUES (2); SELECT * FROM nowhere;"])
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe("Cannot migrate the SQLite job store to version 2");
    expect(String((error.cause as Error).message)).toContain("no such table: nowhere");
    expect(db.prepare("SELECT version FROM applied").all()).toEqual([{ version: 1 }]);
    expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: 1 });
  });

  test("a file a newer release wrote is refused, untouched", () => {
    const db = new DatabaseSync(file());
    migrate(db);
    const error = catchSync(() => migrate(db, MIGRATIONS.slice(0, -1)));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe(
      `the SQLite job store is at schema version ${MIGRATIONS.length}, newer than this release's ` +
        `${
          MIGRATIONS.length - 1
        }: a newer release wrote it. Run that release (or a later one), or restore a ` +
        "backup made before the upgrade",
    );
    expect(db.prepare("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
  });
});

describe("PostgreSQL", () => {
  let server: ThrowawayPostgres;
  const pools: pg.Pool[] = [];
  const pool = (url: string) => {
    const created = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(created);
    return created;
  };
  beforeAll(async () => {
    server = await startThrowawayPostgres();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await server?.stop();
  });

  test("two replicas migrating at once apply each migration once", async () => {
    const url = await server.createDatabase("together");
    const [a, b] = [pool(url), pool(url)];
    await Promise.all([migratePg(a, COUNTED), migratePg(b, COUNTED)]);
    expect((await a.query("SELECT version FROM applied ORDER BY version")).rows).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect((await a.query("SELECT version FROM schema_migrations ORDER BY version")).rows).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
  });

  test("replicas opening a new database at once all start: the store's schema and graphile-worker's made once", async () => {
    // graphile-worker's own schema install (CREATE SCHEMA IF NOT EXISTS) is not safe against a concurrent one.
    for (let round = 0; round < 3; round++) {
      const url = await server.createDatabase(`opened_together_${round}`);
      const stores = await Promise.all(
        [1, 2, 3].map(() =>
          openPgStore(new pg.Pool({ connectionString: url, max: 3 }), { idempotencyTtlMs: 1 })
        ),
      );
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  test("a failing migration is rolled back alone and named", async () => {
    const db = pool(await server.createDatabase("failing"));
    const error = await migratePg(db, [COUNTED[0]!, "INSERT INTO applied VALUES (2); SELECT * FROM nowhere;"])
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error!.message).toBe("Cannot migrate the PostgreSQL job store to version 2");
    expect(String(((error as Error).cause as Error).message)).toContain('relation "nowhere" does not exist');
    expect((await db.query("SELECT version FROM applied")).rows).toEqual([{ version: 1 }]);
  });

  test("a database a newer release wrote is refused", async () => {
    const db = pool(await server.createDatabase("newer"));
    await migratePg(db);
    await expect(migratePg(db, PG_MIGRATIONS.slice(0, -1))).rejects.toThrow(
      `the PostgreSQL job store is at schema version ${PG_MIGRATIONS.length}, newer than this release's ` +
        `${PG_MIGRATIONS.length - 1}`,
    );
  });
});

function catchSync(run: () => void): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}
