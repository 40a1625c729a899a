import { expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { redactedConfig } from "../src/config_redacted.ts";

const BASE = { GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY: "sk-ant-x", AUTH_DISABLED: "true" };

test("a password holding an unencoded @ is redacted whole from every URL the printed config shows", () => {
  // WHATWG URLs (and node-postgres) end the user info at the last @ before the host, so these are
  // accepted as given: the whole password must go, not just its part before the first @.
  const password = "p@ss-must-not-be-logged";
  const config = loadConfig({
    ...BASE,
    DATABASE_URL: `postgres://agent:${password}@db:5432/agent`,
    ANTHROPIC_BASE_URL: `https://gateway:${password}@gateway.example/anthropic`,
    GITHUB_API_URL: `https://bot:${password}@ghe.example/api/v3`,
  });
  const printed = JSON.stringify(redactedConfig(config));
  expect(printed).not.toContain("ss-must-not-be-logged");
  expect(redactedConfig(config)).toMatchObject({
    databaseUrl: "postgres://[redacted]@db:5432/agent",
    model: { baseUrl: "https://[redacted]@gateway.example/anthropic" },
    github: { apiUrl: "https://[redacted]@ghe.example/api/v3" },
  });
});

test("an @ after the host (in the path or query) is not taken for user info", () => {
  const config = loadConfig({ ...BASE, ANTHROPIC_BASE_URL: "https://gateway.example/v1/team@acme" });
  expect(redactedConfig(config).model).toMatchObject({ baseUrl: "https://gateway.example/v1/team@acme" });
});
