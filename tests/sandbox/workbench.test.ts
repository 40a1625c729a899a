import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandPolicy } from "../../src/sandbox/command_policy.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { createWorkbench } from "../../src/sandbox/workbench.ts";
import { newSandbox } from "./sandbox_fixture.ts";

describe("the workbench's bash tool goes through the command policy", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox({ "app/main.py": "print('hi')\n" });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("by default the restricted policy refuses a command line and nothing of it runs", async () => {
    const workbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
    const out = await workbench.bash({ command: "echo ran > ran.txt; rm -rf /" });
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(
      /^Command refused by the restricted command policy; nothing was run: rm: The path \/ is outside \/workspace/,
    );
    expect((await sandbox.run(["ls"])).stdout).toBe("app\n");
  });

  test("an allowed command line runs in the persistent session", async () => {
    const workbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
    expect(await workbench.bash({ command: "cd app && ls" })).toEqual({ text: "main.py", isError: false });
    expect(await workbench.bash({ command: "pwd; python3 main.py" })).toEqual({
      text: "/workspace/app\nhi",
      isError: false,
    });
    expect(await workbench.bash({ command: "grep -c nothing main.py" })).toEqual({
      text: "0\n[exit code 1]",
      isError: false,
    });
  });

  test("the shell policy lets any command through, still inside the container", async () => {
    const workbench = createWorkbench(sandbox, { policy: createCommandPolicy("shell") });
    const out = await workbench.bash({ command: "touch /workspace/made && rm /workspace/made && id -u" });
    expect(out).toEqual({ text: "1000", isError: false });
  });

  test("restart needs no policy check and an empty command is an error", async () => {
    const workbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
    expect(await workbench.bash({ restart: true })).toEqual({
      text: "The bash session was restarted.",
      isError: false,
    });
    expect((await workbench.bash({ command: "  " })).isError).toBe(true);
  });

  test("a timeout is an error the model can read", async () => {
    const workbench = createWorkbench(sandbox, {
      commandTimeoutMs: 1_000,
      policy: createCommandPolicy("shell"),
    });
    const out = await workbench.bash({ command: "echo start; sleep 20" });
    expect(out.isError).toBe(true);
    expect(out.text).toMatch(/^start\n(.*Killed.*sleep 20\n)?\[the command timed out and was killed\]$/);
  });
});
