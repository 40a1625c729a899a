/**
 * graphile-worker ends a worker that cannot record a job's end (the database refused) and, in
 * continuous mode, never replaces it. The replica's queue starts a new worker pool then, as it does
 * when the whole pool stops: once the database is back, the job is taken over and new jobs run.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService } from "../../src/service.ts";
import { captureConsole } from "../console_capture.ts";
import { holdingPipeline } from "../jobs/holding_pipeline.ts";
import { type PgFixture, startPgFixture } from "./pg_fixture.ts";
import { submitToReplica } from "./submit_to_replica.ts";

let fixture: PgFixture;
beforeAll(async () => {
  fixture = await startPgFixture();
});
afterAll(async () => {
  await fixture.stop();
});

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!await check()) await new Promise((resolve) => setTimeout(resolve, 50));
}

test("a queue worker lost while the database refused is replaced once it is back", async () => {
  const url = await fixture.freshDatabase();
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: fixture.server.url });
  await admin.connect();
  const console = captureConsole();
  const held = holdingPipeline();
  const service = await buildService(
    loadConfig({
      GITHUB_TOKEN: "ghp_test",
      ANTHROPIC_API_KEY: "sk-ant-test",
      AUTH_DISABLED: "true",
      DATABASE_URL: url,
      JOBS_CONCURRENCY: "1",
    }),
    { pipeline: held.pipeline, audit: NO_AUDIT },
  );
  const submit = (issue: number) => submitToReplica(service, issue);
  const statusOf = async (id: string) => (await service.store.get(id))?.status;
  try {
    const first = await submit(1);
    await held.whenActive(1);
    // The job ends while its database refuses every connection: graphile-worker cannot record
    // the end and ends its only worker.
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
    held.release();
    await waitFor(() => console.text().includes("committing seppuku"));
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    // The job is taken over and runs again; once it ends, a job submitted now runs too.
    await held.whenActive(1);
    held.release();
    await waitFor(async () => await statusOf(first) === "succeeded");
    const second = await submit(2);
    await held.whenActive(1);
    held.release();
    await waitFor(async () => await statusOf(second) === "succeeded");
    expect([await statusOf(first), await statusOf(second)]).toEqual(["succeeded", "succeeded"]);
  } finally {
    console.restore();
    held.release();
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await service.close();
  }
});
