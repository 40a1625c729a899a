/**
 * The host trusts nothing a process of the agent could touch: before it runs the change extraction
 * or the verification tests, every process of the sandbox user is killed from an exec those
 * processes cannot trace; and its own programs run as the programs user, out of their reach.
 * Each test mounts the attack from inside a real sandbox, as a model could under the default
 * `restricted` policy (a Python file started in the background with `python3`).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { readWorkspaceChanges } from "../../src/sandbox/changes.ts";
import { CHANGES_PROGRAM_PATH } from "../../src/sandbox/changes_program.ts";
import { runEditor } from "../../src/sandbox/editor.ts";
import { SEALED_BASH } from "../../src/sandbox/process_stopper.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { runTests } from "../../src/sandbox/test_run.ts";
import { docker, newSandbox } from "./sandbox_fixture.ts";

const FAILING_TEST = "def test_fails():\n    assert 1 == 2\n";
const ATTACK = await Deno.readTextFile(new URL("./proc_tamper.py", import.meta.url));

/** One line the attack printed. */
interface Step {
  pid: number;
  step: string;
  ok: boolean;
  error: string | null;
}

const steps = (out: string): Step[] =>
  out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Step);

/**
 * Processes of uid 1000 alive in the sandbox, read by the programs user: zombies aside, and the
 * host's own standing stopper (`SEALED_BASH` waiting on its exec).
 */
async function sandboxUserProcesses(sandbox: Sandbox): Promise<string[]> {
  const ps = await sandbox.run(["ps", "-u", "1000", "-o", "pid=,stat=,args="], { user: "programs" });
  expect(ps.exitCode).toBe(0);
  return ps.stdout.trim().split("\n").filter((l) =>
    l.trim() !== "" && !/^\s*\d+\s+Z/.test(l) && !l.endsWith(`${SEALED_BASH} --noprofile --norc`)
  );
}

describe("the tampering attack through /proc", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox({
      "README.md": "hello\n",
      "tests/test_app.py": FAILING_TEST,
    });
    // The model writes the attack into the workspace with the editor, as it could.
    await runEditor(sandbox, { command: "create", path: "/workspace/tamper.py", file_text: ATTACK });
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("works between processes of the sandbox user: this host lets the same uid rewrite memory", async () => {
    const victim = "import os, time\n" +
      "secret = bytearray(b'TRUE-' + b'CHANGE-LIST')\n" +
      "open('/tmp/victim.pid', 'w').write(str(os.getpid()))\n" +
      "while not os.path.exists('/tmp/attacked'):\n    time.sleep(0.01)\n" +
      "print(secret.decode())\n";
    await runEditor(sandbox, { command: "create", path: "/workspace/victim.py", file_text: victim });
    expect((await sandbox.bash("python3 victim.py > /tmp/victim.out &")).exitCode).toBe(0);
    const attack = await sandbox.bash(
      "while [ ! -s /tmp/victim.pid ]; do sleep 0.05; done; " +
        "python3 tamper.py $(cat /tmp/victim.pid) TRUE-CHANGE-LIST FAKE-CHANGE-LIST; touch /tmp/attacked; " +
        "while [ ! -s /tmp/victim.out ]; do sleep 0.05; done; cat /tmp/victim.out",
    );
    expect(steps(attack.stdout).map((s) => [s.step, s.ok])).toEqual([
      ["environ", true],
      ["ptrace", true],
      ["sigstop", true],
      ["maps", true],
      ["mem", true],
      ["written", true],
    ]);
    expect(attack.stdout.trim().split("\n").at(-1)).toBe("FAKE-CHANGE-LIST");
  });

  test("fails on every process of the programs user: no ptrace, signal, environ, maps or mem", async () => {
    // The container's init (pid 1) and its `sleep`; the editor and the change extraction run so too.
    const programs = await sandbox.run(["pgrep", "-u", "1001", "-x", "docker-init|sleep"], {
      user: "programs",
    });
    const pids = programs.stdout.trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    expect(pids).toContain(1);
    for (const pid of pids) {
      const attack = await sandbox.run(["python3", "tamper.py", String(pid), "sleep", "SLEEP"]);
      expect(steps(attack.stdout).map((s) => [s.step, s.error])).toEqual([
        ["environ", "EACCES"],
        ["ptrace", "EPERM"],
        ["sigstop", "EPERM"],
        ["maps", "EACCES"],
      ]);
    }
  });

  test("fails on the process stopper although it runs as the sandbox user: it is not dumpable", async () => {
    // The stopper's bash, kept waiting on a pipe so the attack has time to try everything.
    expect((await sandbox.bash(`sleep 60 | ${SEALED_BASH} -c 'read -r -t 60' &`)).exitCode).toBe(0);
    const pid = (await sandbox.run(["pgrep", "-f", `^${SEALED_BASH} -c read`], { user: "programs" })).stdout
      .trim();
    expect(pid).toMatch(/^\d+$/);
    const attack = await sandbox.run(["python3", "tamper.py", pid, "read", "READ"]);
    expect(steps(attack.stdout).map((s) => [s.step, s.error])).toEqual([
      ["environ", "EACCES"],
      ["ptrace", "EPERM"],
      ["sigstop", null], // Signals still reach it: a stopped or killed stopper prints no "clean".
      ["maps", "EACCES"],
    ]);
  });

  test("waiting for the change extraction gets nothing: it is killed first, and the change list is the true one", async () => {
    const waiting = await sandbox.bash(
      `python3 tamper.py --wait ${CHANGES_PROGRAM_PATH} README.md EVIL.md > /workspace/attack.log 2>&1 & ` +
        "while [ ! -s /workspace/attack.log ]; do sleep 0.05; done; cat /workspace/attack.log",
    );
    expect(waiting.stdout).toBe("waiting\n");
    await runEditor(sandbox, { command: "create", path: "/workspace/README.md", file_text: "changed\n" });
    const blob = (text: string) => gitBlobSha(new TextEncoder().encode(text));
    const report = await readWorkspaceChanges(sandbox, {
      tracked: [["README.md", "100644", blob("hello\n")], [
        "tests/test_app.py",
        "100644",
        blob(FAILING_TEST),
      ]],
      maxFiles: 100,
      maxTotalBytes: 1 << 20,
    });
    expect(report.changes.map((c) => [c.path, c.status])).toEqual([
      ["README.md", "modified"],
      ["attack.log", "added"],
      ["tamper.py", "added"],
      ["victim.py", "added"],
    ]);
    expect(new TextDecoder().decode(report.changes[0]!.content)).toBe("changed\n");
    // The attack never reached the program: it was killed while it waited.
    expect((await sandbox.run(["cat", "/workspace/attack.log"], { user: "programs" })).stdout).toBe(
      "waiting\n",
    );
    expect(await sandboxUserProcesses(sandbox)).toEqual([]);
  });

  test("waiting for the verification tests gets nothing either: the failing test is reported failing", async () => {
    // The attack would write a passing summary into pytest's own output, through /proc/PID/fd/1.
    const forge = "import os, sys, time\n" +
      "me = os.getpid()\n" +
      "while True:\n" +
      "    for p in os.listdir('/proc'):\n" +
      "        try:\n" +
      "            if p.isdigit() and int(p) != me and b'pytest' in open('/proc/%s/cmdline' % p, 'rb').read():\n" +
      "                open('/proc/%s/fd/1' % p, 'w').write('\\n99 passed in 0.01s\\n')\n" +
      "                sys.exit(0)\n" +
      "        except OSError:\n" +
      "            pass\n" +
      "    time.sleep(0.001)\n";
    await runEditor(sandbox, { command: "create", path: "/workspace/forge.py", file_text: forge });
    expect((await sandbox.bash("python3 forge.py > /dev/null 2>&1 &")).exitCode).toBe(0);
    const run = await runTests(sandbox, "python3 -m pytest -q -p no:cacheprovider tests", {
      timeoutMs: 60_000,
    });
    expect(run).toMatchObject({ exitCode: 1, passed: 0, failed: 1 });
    expect(run.tail).not.toContain("99 passed");
  });
});

describe("stopping the sandbox user's processes", () => {
  test("a fork bomb at the process limit survives nothing, the container keeps running, and bash says it restarted", async () => {
    const sandbox = await newSandbox();
    try {
      // Every process forks a child whenever it can and keeps it; each child does the same.
      const bomb = "import os, time\n" +
        "while True:\n" +
        "    try:\n" +
        "        os.fork()\n" +
        "    except OSError:\n" +
        "        time.sleep(0.01)\n";
      await runEditor(sandbox, { command: "create", path: "/workspace/bomb.py", file_text: bomb });
      expect((await sandbox.bash("python3 bomb.py > /dev/null 2>&1 &")).exitCode).toBe(0);
      // The sandbox is at its process limit (64 here): no new exec could start now.
      const container = docker.getContainer(sandbox.name);
      while (((await container.stats({ stream: false })).pids_stats?.current ?? 0) < 60) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await sandbox.stopAgentProcesses();
      expect(await sandboxUserProcesses(sandbox)).toEqual([]);
      expect((await container.inspect()).State.Running).toBe(true);
      const next = await sandbox.bash("pwd");
      expect(next.stdout).toBe("/workspace\n");
      expect(next.stderr).toMatch(/^\(Every process in the sandbox was stopped to check your submission/);
      expect((await sandbox.bash("pwd")).stderr).toBe("");
      // And again, now with a fresh standing stopper.
      expect((await sandbox.bash("python3 bomb.py > /dev/null 2>&1 &")).exitCode).toBe(0);
      await sandbox.stopAgentProcesses();
      expect(await sandboxUserProcesses(sandbox)).toEqual([]);
    } finally {
      await sandbox.dispose();
    }
  });
});
