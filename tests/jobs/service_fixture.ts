import { afterEach, beforeEach } from "vitest";
import { type Config, loadConfig } from "../../src/config.ts";
import { buildService, type Service, type ServiceOptions } from "../../src/service.ts";

/** The settings every service test starts from: credentials the stand-ins accept, no caller auth. */
export const SERVICE_TEST_ENV = {
  GITHUB_TOKEN: "ghp_test",
  ANTHROPIC_API_KEY: "sk-ant-test",
  AUTH_DISABLED: "true",
};

/**
 * A service per test, in a fresh folder: call in a `describe`. `dir` is the test's folder; `config`
 * keeps the jobs' SQLite file in it; `start` builds the service, which is closed (and the folder
 * removed) after the test.
 */
export function serviceUnderTest() {
  const fixture = {
    dir: "",
    service: undefined as Service | undefined,
    /** {@link SERVICE_TEST_ENV} with the jobs in `dir`, and `env` over both. */
    config: (env: Record<string, string> = {}): Config =>
      loadConfig({ ...SERVICE_TEST_ENV, JOBS_DB_PATH: `${fixture.dir}/jobs.sqlite`, ...env }),
    /** Builds the service of `config`, to be closed after the test. */
    start: async (config: Config, options: ServiceOptions): Promise<Service> => {
      fixture.service = await buildService(config, options);
      return fixture.service;
    },
  };
  beforeEach(async () => {
    fixture.dir = await Deno.makeTempDir({ prefix: "backend-agent-test-" });
  });
  afterEach(async () => {
    await fixture.service?.close();
    fixture.service = undefined;
    await Deno.remove(fixture.dir, { recursive: true });
  });
  return fixture;
}
