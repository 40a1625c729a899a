/**
 * The Python programs the sandbox image ships (images/python-sandbox/programs):
 * shipped byte for byte and read-only, compiled, linted with flake8, and
 * their own pytest tests passing, all inside a sandbox made from the image.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readInputFiles } from "../../scripts/image_inputs.ts";
import { CHANGES_PROGRAM_PATH } from "../../src/sandbox/changes_program.ts";
import { EDITOR_PROGRAM_PATH } from "../../src/sandbox/editor_program.ts";
import { SANDBOX_ENV } from "../../src/sandbox/hardening.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const PROGRAMS_DIR = fileURLToPath(new URL("../../images/python-sandbox/programs", import.meta.url));
const SHIPPED = [EDITOR_PROGRAM_PATH, CHANGES_PROGRAM_PATH];

/** The counts in pytest's last line, e.g. `48 passed, 1 skipped in 3.10s`. */
function pytestSummary(output: string): Record<string, number> | undefined {
  const line = output.trim().split("\n").at(-1) ?? "";
  if (!/ in \d+(\.\d+)?s\b/.test(line)) return undefined;
  const counts: Record<string, number> = {};
  for (const [, count, what] of line.matchAll(/(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)/g)) {
    counts[what!.replace(/s$/, "")] = Number(count);
  }
  return counts;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("the in-image programs", () => {
  let sandbox: Sandbox;
  const sources = new Map<string, Uint8Array<ArrayBuffer>>();
  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const file of await readInputFiles(PROGRAMS_DIR)) {
      sources.set(file.path, file.content as Uint8Array<ArrayBuffer>);
      files[`programs/${file.path}`] = new TextDecoder().decode(file.content);
    }
    sandbox = await newSandbox(files);
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("the image ships the repo's programs byte for byte, root-owned and read-only to the sandbox user", async () => {
    const sums = await sandbox.run(["sha256sum", ...SHIPPED]);
    expect(sums.exitCode).toBe(0);
    const expected = await Promise.all(
      SHIPPED.map(async (path) => `${await sha256(sources.get(path.split("/").at(-1)!)!)}  ${path}`),
    );
    expect(sums.stdout.trim().split("\n")).toEqual(expected);
    const modes = await sandbox.run(["stat", "-c", "%U:%G %a %n", "/opt/backend-agent", ...SHIPPED]);
    expect(modes.stdout.trim().split("\n")).toEqual([
      "root:root 755 /opt/backend-agent",
      ...SHIPPED.map((path) => `root:root 644 ${path}`),
    ]);
    const write = await sandbox.run(["bash", "-c", `echo x >> ${EDITOR_PROGRAM_PATH}`]);
    expect(write.exitCode).not.toBe(0);
  });

  test("the test-only workspace override is not in the sandbox's fixed environment", async () => {
    expect(SANDBOX_ENV.some((entry) => entry.startsWith("BACKEND_AGENT_"))).toBe(false);
    const env = await sandbox.run(["env"]);
    expect(env.stdout).not.toContain("BACKEND_AGENT_");
  });

  test("the shipped programs compile with the image's python3", async () => {
    const compiled = await sandbox.run([
      "bash",
      "-c",
      `PYTHONPYCACHEPREFIX=/tmp/pycache python3 -m py_compile ${SHIPPED.join(" ")}`,
    ]);
    expect(compiled).toMatchObject({ exitCode: 0, stderr: "" });
  });

  test("flake8 finds nothing in the programs or their tests", async () => {
    const lint = await sandbox.run(["python3", "-m", "flake8", "--jobs=1", "."], {
      cwd: "/workspace/programs",
      timeoutMs: 120_000,
    });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.exitCode).toBe(0);
  });

  test("the programs' pytest tests pass in the image, none skipped", async () => {
    const run = await sandbox.run(
      ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
      { cwd: "/workspace/programs", timeoutMs: 170_000, maxOutputBytes: 1024 * 1024 },
    );
    const summary = pytestSummary(run.stdout);
    expect(summary, run.stdout.slice(-3000) + run.stderr).toBeDefined();
    expect(summary).toEqual({ passed: expect.any(Number) });
    expect(summary!.passed).toBeGreaterThanOrEqual(45);
    expect(run.exitCode).toBe(0);
  });
});

test("pytest's summary line is read into counts", () => {
  expect(pytestSummary("....\n48 passed, 1 skipped in 5.83s\n")).toEqual({ passed: 48, skipped: 1 });
  expect(pytestSummary("=== 1 failed, 2 passed, 3 errors in 0.10s ===")).toEqual({
    failed: 1,
    passed: 2,
    error: 3,
  });
  expect(pytestSummary("no tests ran in 0.01s")).toEqual({});
  expect(pytestSummary("Traceback (most recent call last):")).toBeUndefined();
});
