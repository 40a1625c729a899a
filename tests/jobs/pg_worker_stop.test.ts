/**
 * A replica's queue worker stopping while PostgreSQL is away: the worker pool graphile-worker gave
 * up on is being restarted in a loop (the database does not answer), and a stop ends that loop at
 * once, its pause cut short; nothing is tried after the stop.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { PgJobStore } from "../../src/jobs/pg_store.ts";
import { PgReplicaTakes } from "../../src/jobs/pg_replica_takes.ts";
import { startPgWorker } from "../../src/jobs/pg_worker.ts";
import { type PgFixture, startPgFixture } from "../pg/pg_fixture.ts";
import { holdingPipeline } from "./holding_pipeline.ts";

let fixture: PgFixture;
beforeAll(async () => {
  fixture = await startPgFixture();
});
afterAll(async () => {
  await fixture?.stop();
});

test("a stop ends the worker pool's restart loop while the database is away, and nothing is tried after it", async () => {
  const pool = new pg.Pool({ connectionString: await fixture.freshDatabase(), max: 5 });
  pool.on("error", () => undefined);
  let attempts = 0;
  /** Counts the restart loop's attempts: each begins by releasing the dead workers' jobs. */
  class CountingTakes extends PgReplicaTakes {
    override releaseWorkers(workerIds: readonly string[]): Promise<void> {
      attempts++;
      return super.releaseWorkers(workerIds);
    }
  }
  // The fresh database is a copy of a migrated one.
  const store = new PgJobStore(pool, { idempotencyTtlMs: 60_000 });
  const held = holdingPipeline();
  const worker = await startPgWorker(
    pool,
    store,
    new CountingTakes(pool),
    held.pipeline,
    {
      concurrency: 1,
      replicaId: "replica-a",
      cancelGraceMs: 300,
      hostRetries: 0,
      beforeResume: () => Promise.resolve(),
    },
  );
  try {
    await store.create({ repo: "acme/tasks", issue: 1 });
    await held.whenActive(1);
    // The database goes away under the running job; the job's end cannot be recorded, so
    // graphile-worker gives its pool up and the worker tries to start a new one, again and again.
    await fixture.server.stop();
    held.release();
    while (attempts < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.stop();
    const atStop = attempts;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(attempts).toBe(atStop);
  } finally {
    await worker.stop();
    await store.close();
  }
});
