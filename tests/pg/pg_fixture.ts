/**
 * PostgreSQL for tests: one throwaway server per test file (`scripts/postgres.ts`: Debian's
 * package, a temp data directory, a loopback port), and fresh databases on it, each a copy of a
 * template migrated once, so every test starts from an empty, migrated store in milliseconds.
 */
import pg from "pg";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/postgres.ts";
import { openPgStore, type PgJobStore, type PgStoreOptions } from "../../src/jobs/pg_store.ts";

/** A server and a migrated template; {@link PgFixture.stop} removes both. */
export interface PgFixture {
  server: ThrowawayPostgres;
  /** A new, empty, migrated database's URL. */
  freshDatabase(): Promise<string>;
  /** A store on a new, empty, migrated database; closing it ends its pool. */
  freshStore(options: PgStoreOptions): Promise<PgJobStore>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a server and migrates the template database. */
export async function startPgFixture(): Promise<PgFixture> {
  const server = await startThrowawayPostgres();
  const templateUrl = await server.createDatabase("store_template");
  const template = new pg.Pool({ connectionString: templateUrl, max: 2 });
  await (await openPgStore(template, { idempotencyTtlMs: 1 })).close();
  const admin = new pg.Pool({ connectionString: server.url, max: 2 });
  const freshDatabase = async () => {
    const name = `t${++counter}_${crypto.randomUUID().slice(0, 8)}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE store_template`);
    return server.urlOf(name);
  };
  return {
    server,
    freshDatabase,
    async freshStore(options) {
      const pool = new pg.Pool({ connectionString: await freshDatabase(), max: 10 });
      return await openPgStore(pool, options);
    },
    async stop() {
      await admin.end();
      await server.stop();
    },
  };
}
