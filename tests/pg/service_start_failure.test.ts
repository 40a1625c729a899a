/**
 * A start that fails part-way (here: the Docker engine cannot be reached when the reaper first runs,
 * after the database is open) undoes what it made: no connection to the database is left open.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService } from "../../src/service.ts";
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
