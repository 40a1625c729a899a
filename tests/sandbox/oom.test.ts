import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandPolicy } from "../../src/sandbox/command_policy.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { createWorkbench } from "../../src/sandbox/workbench.ts";
import { newSandbox } from "./sandbox_fixture.ts";

const HOG = "python3 -c \"a = b'x' * (1024 ** 3); print('allocated')\"";

describe("a command killed by the memory limit is reported as such", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox(undefined, { memoryMb: 256 });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("in the bash session: exit 137, oomKilled and the limit, and the session keeps working", async () => {
    const result = await sandbox.bash(HOG);
    expect(result).toMatchObject({ exitCode: 137, timedOut: false, oomKilled: true, memoryLimitMb: 256 });
    expect(result.stdout).not.toContain("allocated");
    expect(await sandbox.bash("echo alive")).toMatchObject({ exitCode: 0, stdout: "alive\n" });
  });

  test("the bash tool's text says killed: out of memory, with the limit", async () => {
    const workbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
    const out = await workbench.bash({ command: HOG });
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(/\[killed: out of memory \(limit 256 MiB\)\]$/);
  });

  test("a SIGKILL that is not the memory limit is an ordinary exit 137", async () => {
    const killed = await sandbox.bash("bash -c 'kill -9 $$'");
    expect(killed.exitCode).toBe(137);
    expect(killed.oomKilled).toBeUndefined();
    const out = await createWorkbench(sandbox, { policy: createCommandPolicy("shell") }).bash({
      command: "bash -c 'kill -9 $$'",
    });
    expect(out.text).toMatch(/\[exit code 137\]$/);
    expect(out.text).not.toMatch(/out of memory/);
  });

  test("in a fresh exec (run): the same, after the counter moved in the session too", async () => {
    const hog = await sandbox.run(["python3", "-c", "a = b'x' * (1024 ** 3)"]);
    expect(hog).toMatchObject({ exitCode: 137, timedOut: false, oomKilled: true, memoryLimitMb: 256 });
    const killed = await sandbox.run(["bash", "-c", "kill -9 $$"]);
    expect(killed.exitCode).toBe(137);
    expect(killed.oomKilled).toBeUndefined();
    expect((await sandbox.run(["echo", "alive"])).stdout).toBe("alive\n");
  });

  test("a timeout is reported as a timeout, not as out of memory", async () => {
    const slow = await sandbox.bash("sleep 30", { timeoutMs: 1_000 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: null });
    expect(slow.oomKilled).toBeUndefined();
  });
});
