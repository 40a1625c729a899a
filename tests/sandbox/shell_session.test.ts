import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { newSandbox } from "./sandbox_fixture.ts";

describe("the bash session keeps its state like a terminal", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox({ "README.md": "hello\n", "app/main.py": "print('hi')\n" });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("the working directory and exported variables persist from one command to the next", async () => {
    expect((await sandbox.bash("pwd")).stdout).toBe("/workspace\n");
    await sandbox.bash("cd app && export GREETING=hello && LOCAL=x");
    const after = await sandbox.bash('pwd; echo "$GREETING $LOCAL"; ls');
    expect(after.stdout).toBe("/workspace/app\nhello x\nmain.py\n");
  });

  test("restart gives a fresh session in /workspace without the old variables", async () => {
    await sandbox.bash("cd /workspace/app && export MARK=1");
    const before = await sandbox.bash("echo $$");
    await sandbox.restartBash();
    const after = await sandbox.bash('pwd; echo "mark=$MARK"; echo $$');
    const [cwd, mark, pid] = after.stdout.trim().split("\n");
    expect(cwd).toBe("/workspace");
    expect(mark).toBe("mark=");
    expect(pid).not.toBe(before.stdout.trim());
    const old = await sandbox.run([
      "bash",
      "-c",
      `kill -0 ${before.stdout.trim()} 2>/dev/null && echo alive || echo gone`,
    ]);
    expect(old.stdout.trim()).toBe("gone");
  });

  test("exit codes come back as they are", async () => {
    expect((await sandbox.bash("true")).exitCode).toBe(0);
    expect((await sandbox.bash("false")).exitCode).toBe(1);
    expect((await sandbox.bash("bash -c 'exit 42'")).exitCode).toBe(42);
    const missing = await sandbox.bash("no-such-program");
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/no-such-program: command not found/);
  });

  test("stdout and stderr are kept apart, and output without a final newline is kept whole", async () => {
    const result = await sandbox.bash("printf 'out'; printf 'err' >&2");
    expect(result).toMatchObject({ stdout: "out", stderr: "err", exitCode: 0, timedOut: false });
  });

  test("a syntax error is an ordinary failure and the session keeps working", async () => {
    const broken = await sandbox.bash("if then fi");
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/syntax error/);
    const quote = await sandbox.bash("echo 'unterminated");
    expect(quote.exitCode).toBe(2);
    expect((await sandbox.bash("echo still here")).stdout).toBe("still here\n");
  });

  test("quotes, newlines and shell metacharacters in a command reach bash unchanged", async () => {
    const result = await sandbox.bash(
      `printf '%s|' "it's" 'a "b"' '$HOME' \\\n  'x'\necho; echo second line`,
    );
    expect(result.stdout).toBe(`it's|a "b"|$HOME|x|\nsecond line\n`);
  });

  test("a command cannot break out of its quoting into the session's own line", async () => {
    const result = await sandbox.bash(`printf '%s' "x'; echo injected; '"`);
    expect(result).toMatchObject({ exitCode: 0, stdout: "x'; echo injected; '" });
  });

  test("commands do not read the session's input: stdin is empty", async () => {
    const result = await sandbox.bash("cat; echo after");
    expect(result.stdout).toBe("after\n");
  });

  test("exit ends the session with its status, and the next command starts a new one", async () => {
    const exited = await sandbox.bash("exit 3");
    expect(exited.exitCode).toBe(3);
    expect(exited.stderr).toMatch(/the bash session ended; the next command starts a new one/);
    expect((await sandbox.bash("pwd")).stdout).toBe("/workspace\n");
  });
});

describe("the bash session survives runaway commands", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox();
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("a sleep past its timeout is killed and reported, and the next command still works in the same session", async () => {
    await sandbox.bash("cd /tmp && export KEPT=yes");
    const slow = await sandbox.bash("echo before; sleep 30; sleep 30; echo after", { timeoutMs: 1_500 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: null });
    expect(slow.stdout).toMatch(/^before\n/);
    expect(slow.stderr).not.toMatch(/session ended/);
    expect((await sandbox.run(["pgrep", "-fx", "sleep 30"])).stdout).toBe("");
    expect((await sandbox.bash('pwd; echo "$KEPT"')).stdout).toBe("/tmp\nyes\n");
  });

  test("a stuck builtin loop gets the session replaced, and the result says so", async () => {
    await sandbox.bash("export LOST=1");
    const stuck = await sandbox.bash("while :; do :; done", { timeoutMs: 1_000 });
    expect(stuck.timedOut).toBe(true);
    expect(stuck.stderr).toMatch(
      /the command did not stop; the bash session ended; the next command starts a new one/,
    );
    const fresh = await sandbox.bash('echo "lost=$LOST"; pwd');
    expect(fresh).toMatchObject({ exitCode: 0, stdout: "lost=\n/workspace\n" });
  });

  test("endless output is capped: head and tail kept, the elision stated", async () => {
    const flood = await sandbox.bash("yes | head -n 100000 | cat -n");
    expect(flood.exitCode).toBe(0);
    expect(flood.truncated).toBe(true);
    expect(flood.stdout.length).toBeLessThan(70 * 1024);
    expect(flood.stdout).toMatch(/^\s+1\ty\n\s+2\ty\n/);
    expect(flood.stdout).toMatch(/\s100000\ty\n$/);
    expect(flood.stdout).toMatch(/\n\[\.\.\. \d+ bytes elided \.\.\.\]\n/);
  });

  test("output that never ends is capped and killed at the timeout", async () => {
    const flood = await sandbox.bash("yes", { timeoutMs: 1_500 });
    expect(flood).toMatchObject({ timedOut: true, truncated: true });
    expect(flood.stdout).toMatch(/bytes elided/);
    expect((await sandbox.bash("echo ok")).stdout).toBe("ok\n");
  });
});
