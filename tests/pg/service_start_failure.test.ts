/**
 * A start that fails part-way undoes what it made: no connection to the database is left open when
 * the Docker engine cannot be reached as the reaper first runs, and no replica lease keeps beating
 * when the lease's first beat fails.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService } from "../../src/service.ts";
import { holdingPipeline } from "../jobs/holding_pipeline.ts";
import { captureConsole } from "../console_capture.ts";
import { type PgFixture, startPgFixture } from "./pg_fixture.ts";

let fixture: PgFixture;
beforeAll(async () => {
  fixture = await startPgFixture();
});
afterAll(async () => {
  await fixture.stop();
});

test("a start that fails after the database opened leaves no connection to it", async () => {
  const url = await fixture.freshDatabase();
  const config = loadConfig({
    GITHUB_TOKEN: "ghp_test",
    ANTHROPIC_API_KEY: "sk-ant-test",
    AUTH_DISABLED: "true",
    DATABASE_URL: url,
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
  });
  await expect(buildService(config, { audit: NO_AUDIT })).rejects.toThrow(/nonexistent\/docker\.sock/);
  // DROP DATABASE waits up to 5 s for sessions that are ending, and refuses while one stays open.
  const admin = new pg.Client({ connectionString: fixture.server.url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE "${new URL(url).pathname.slice(1)}"`);
  } finally {
    await admin.end();
  }
});

test("a start whose first lease beat fails leaves no lease beating", async () => {
  const url = await fixture.freshDatabase();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`CREATE FUNCTION refuse_beat() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'beat refused by the test'; END $$`);
    await db.query(
      "CREATE TRIGGER refuse_beat BEFORE INSERT ON replicas FOR EACH ROW EXECUTE FUNCTION refuse_beat()",
    );
  } finally {
    await db.end();
  }
  const leaseMs = 3_000;
  const config = loadConfig({
    GITHUB_TOKEN: "ghp_test",
    ANTHROPIC_API_KEY: "sk-ant-test",
    AUTH_DISABLED: "true",
    DATABASE_URL: url,
    JOBS_LEASE_MS: String(leaseMs),
  });
  const console = captureConsole();
  try {
    await expect(buildService(config, { pipeline: holdingPipeline().pipeline, audit: NO_AUDIT })).rejects
      .toThrow(/beat refused by the test/);
    // A lease left running beats every third of JOBS_LEASE_MS, on a pool that is closed by now.
    await new Promise((resolve) => setTimeout(resolve, leaseMs / 3 + 500));
    expect(console.text()).not.toContain("replica heartbeat failed");
  } finally {
    console.restore();
  }
});
