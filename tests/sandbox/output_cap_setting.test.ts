import { afterEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const BASE = { ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true", GITHUB_TOKEN: "ghp_x" };
const PRINT_200_KB = "head -c 204800 /dev/zero | tr '\\0' x";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = undefined;
});

describe("SANDBOX_MAX_OUTPUT_BYTES", () => {
  test("at its default, a 200 KiB output is cut to 64 KiB", async () => {
    const { maxOutputBytes } = loadConfig(BASE).sandbox;
    sandbox = await newSandbox(undefined, { maxOutputBytes });
    const result = await sandbox.bash(PRINT_200_KB);
    expect(result.truncated).toBe(true);
    expect(result.stdout.replaceAll(/[^x]/g, "").length).toBeLessThanOrEqual(64 * 1024);
  });

  test("raised above its default, the same output comes back whole", async () => {
    const { maxOutputBytes } = loadConfig({ ...BASE, SANDBOX_MAX_OUTPUT_BYTES: String(256 * 1024) }).sandbox;
    sandbox = await newSandbox(undefined, { maxOutputBytes });
    const result = await sandbox.bash(PRINT_200_KB);
    expect(result.truncated).toBe(false);
    expect(result.stdout).toBe("x".repeat(204_800));
  });
});
