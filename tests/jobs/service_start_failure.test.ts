/** A start that fails part-way is reported by its own error, even when undoing it fails too. */
import { expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { buildService } from "../../src/service.ts";
import { captureConsole } from "../console_capture.ts";

test("a failed start throws its own error, and a failure while undoing it is logged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "service-start-" });
  const store = openSqliteStore(`${dir}/jobs.sqlite`, { idempotencyTtlMs: 86_400_000 });
  const failingClose = Object.assign(Object.create(store), {
    close() {
      store.close();
      throw new Error("the store would not close");
    },
  });
  const config = loadConfig({
    GITHUB_TOKEN: "ghp_test",
    ANTHROPIC_API_KEY: "sk-ant-test",
    AUTH_DISABLED: "true",
    JOBS_DB_PATH: `${dir}/jobs.sqlite`,
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
  });
  const console = captureConsole();
  try {
    await expect(buildService(config, { store: failingClose, audit: NO_AUDIT })).rejects
      .toThrow(/nonexistent\/docker\.sock/);
    expect(console.text()).toContain("cannot undo part of a failed start: the store would not close");
  } finally {
    console.restore();
    await Deno.remove(dir, { recursive: true });
  }
});
