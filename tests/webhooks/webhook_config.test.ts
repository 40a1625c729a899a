import { describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { redactedConfig } from "../../src/config_redacted.ts";

const BASE = { GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY: "sk-x" };

describe("webhook settings", () => {
  test("off by default, trigger label agent, no bot login", () => {
    const config = loadConfig(BASE);
    expect(config.webhooks).toEqual({ triggerLabel: "agent" });
    expect(config.github.botLogin).toBeUndefined();
  });

  test("the secret never shows in the printable config", () => {
    const secret = "s3cret-webhook-value-0123456789";
    const config = loadConfig({
      ...BASE,
      GITHUB_WEBHOOK_SECRET: secret,
      GITHUB_BOT_LOGIN: "my-agent[bot]",
      TRIGGER_LABEL: " ai ",
    });
    expect(config.webhooks).toEqual({ secret, triggerLabel: "ai" });
    expect(config.github.botLogin).toBe("my-agent[bot]");
    const printable = JSON.stringify(redactedConfig(config));
    expect(printable).not.toContain(secret);
    expect(redactedConfig(config).webhooks.secret).toBe("[redacted]");
  });

  test("a short secret, a login GitHub would refuse and an empty label are refused, each named", () => {
    expect(() => loadConfig({ ...BASE, GITHUB_WEBHOOK_SECRET: "short" })).toThrow(
      /GITHUB_WEBHOOK_SECRET must be at least 16 characters/,
    );
    expect(() => loadConfig({ ...BASE, GITHUB_BOT_LOGIN: "@me bot" })).toThrow(/GITHUB_BOT_LOGIN must be/);
    expect(() => loadConfig({ ...BASE, TRIGGER_LABEL: "  " })).toThrow(/TRIGGER_LABEL is empty/);
  });
});
