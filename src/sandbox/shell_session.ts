/**
 * The model's bash session: one long-lived `bash` inside the container, fed
 * commands over a single attached exec. The working directory and exported
 * variables persist between commands, like Anthropic's bash tool.
 *
 * Each command is sent single-quoted to `eval` (so a syntax error is an
 * ordinary failure, never a hung shell) with stdin from /dev/null; a sentinel
 * line carrying `$?` and the cgroup's OOM-kill counter before and after marks
 * its end on stdout, another on stderr. Nothing forks besides the command
 * itself: the per-command cost is one round trip over the attached stream.
 */
import type { Container, Exec } from "dockerode";
import { type Duplex, PassThrough } from "node:stream";
import { SandboxError } from "../errors.ts";
import { SANDBOX_ENV } from "./hardening.ts";
import { SANDBOX_USER } from "./limits.ts";
import { OOM_COUNTER_BASH } from "./oom_counter.ts";
import { killTree } from "./process_tree.ts";
import { type ExecResult, WORKSPACE } from "./sandbox.ts";
import { commandLine, CommandReader, killedByOom, newNonce } from "./shell_protocol.ts";

/** How long a killed command gets to hand back its sentinel before the shell itself is replaced. */
const KILL_GRACE_MS = 2_000;
/** How long a new shell gets to answer its first command. */
const OPEN_TIMEOUT_MS = 10_000;

/** Options for {@link ShellSession.run}. */
export interface ShellRunOptions {
  /** Kill the command's processes after this many milliseconds. */
  timeoutMs: number;
  /** Cap on stdout and on stderr, each. */
  maxOutputBytes: number;
  /**
   * Bytes streamed to the command's stdin through the session (the command
   * runs in a subshell reading exactly these bytes; without it, stdin is /dev/null).
   */
  stdin?: Uint8Array;
}

interface Pending {
  reader: CommandReader;
  resolve: () => void;
}

/** A persistent bash process inside one container. Use {@link ShellSession.open}. */
export class ShellSession {
  #pending: Pending | undefined;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  #pid = -1;
  #oomKills = -1;

  private constructor(
    private readonly container: Container,
    private readonly exec: Exec,
    private readonly stream: Duplex,
  ) {}

  /** True once the shell has exited or was killed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The shell's pid inside the container. */
  get pid(): number {
    return this.#pid;
  }

  /** The container's OOM-kill counter as last seen by this shell; -1 when unknown. */
  get oomKills(): number {
    return this.#oomKills;
  }

  /**
   * Starts `bash` (or `program`, another build of bash) in /workspace as the sandbox user, with
   * umask 002, and waits until it answers.
   * @throws SandboxError when the exec cannot be started or bash does not answer.
   */
  static async open(container: Container, program = "bash"): Promise<ShellSession> {
    let session: ShellSession | undefined;
    try {
      const exec = await container.exec({
        Cmd: [program, "--noprofile", "--norc"],
        User: SANDBOX_USER,
        WorkingDir: WORKSPACE,
        Env: [...SANDBOX_ENV],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: true }) as Duplex;
      session = new ShellSession(container, exec, stream);
      session.#wire();
      // umask 002: what the agent creates stays writable by the programs user (same group).
      stream.write(`umask 002\n${OOM_COUNTER_BASH}\n`);
      const hello = await session.run("builtin printf '%d' $$", {
        timeoutMs: OPEN_TIMEOUT_MS,
        maxOutputBytes: 1024,
      });
      const pid = Number(hello.stdout);
      if (hello.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
        throw new Error(`bash did not answer within ${OPEN_TIMEOUT_MS} ms: ${hello.stderr.slice(0, 200)}`);
      }
      session.#pid = pid;
      return session;
    } catch (error) {
      session?.detach();
      throw new SandboxError("Cannot start the bash session in the sandbox", { cause: error });
    }
  }

  /**
   * Runs one command line. At `timeoutMs` the command's processes are killed
   * and `timedOut` is reported; the session stays usable (or, when the shell
   * itself was stuck, is closed so the caller can open a fresh one).
   */
  run(command: string, options: ShellRunOptions): Promise<ExecResult> {
    const next = this.#queue.then(() => this.#run(command, options));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Kills the shell and everything it started. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.detach();
    if (this.#pid > 0) await killTree(this.container, this.#pid, true).catch(() => undefined);
  }

  /** Drops the connection without killing anything (the container is about to be removed). */
  detach(): void {
    this.#closed = true;
    this.stream.destroy();
  }

  async #run(command: string, options: ShellRunOptions): Promise<ExecResult> {
    if (this.#closed) throw new SandboxError("The bash session has exited; restart it");
    if (command.includes("\0")) {
      return {
        exitCode: 2,
        stdout: "",
        stderr: "bash: the command contains a NUL byte",
        timedOut: false,
        truncated: false,
      };
    }
    const nonce = newNonce();
    const reader = new CommandReader(nonce, options.maxOutputBytes);
    const done = new Promise<void>((resolve) => {
      this.#pending = { reader, resolve };
    });
    this.stream.write(commandLine(command, nonce, options.stdin?.byteLength));
    if (options.stdin) this.stream.write(options.stdin);
    let timedOut = false;
    if (await raceTimeout(done, options.timeoutMs) === "timeout") {
      timedOut = true;
      if (!await this.#killUntilDone(done)) await this.close();
    }
    this.#pending = undefined;
    const status = reader.status;
    if (status && status.oomAfter >= 0) this.#oomKills = status.oomAfter;
    const ended = this.#closed && !status;
    const exitCode = timedOut ? null : status?.rc ?? (ended ? await this.#exitCodeOfShell() : null);
    const oomKilled = !timedOut && status !== undefined && killedByOom(status);
    const { stdout, stderr, truncated } = reader.output();
    return {
      exitCode,
      stdout,
      stderr: this.#closed
        ? `${stderr}\n(${
          timedOut ? "the command did not stop; " : ""
        }the bash session ended; the next command starts a new one)`
        : stderr,
      timedOut,
      truncated,
      ...(oomKilled ? { oomKilled } : {}),
    };
  }

  /**
   * Kills the shell's children until the command line hands back its sentinel
   * (a list such as `sleep 30; sleep 30` starts a new child after each kill).
   * False when the shell itself stays busy past the grace period.
   */
  async #killUntilDone(done: Promise<void>): Promise<boolean> {
    const deadline = Date.now() + KILL_GRACE_MS;
    while (Date.now() < deadline) {
      if (this.#pid > 0) await killTree(this.container, this.#pid, false).catch(() => undefined);
      if (await raceTimeout(done, 200) === "done") return true;
    }
    return false;
  }

  async #exitCodeOfShell(): Promise<number | null> {
    const info = await this.exec.inspect().catch(() => undefined);
    return info?.Running === false ? info.ExitCode ?? null : null;
  }

  #wire(): void {
    const out = new PassThrough();
    const err = new PassThrough();
    this.container.modem.demuxStream(this.stream, out, err);
    out.on("data", (chunk: Uint8Array) => {
      const p = this.#pending;
      if (!p) return;
      p.reader.pushStdout(chunk);
      if (p.reader.done) p.resolve();
    });
    err.on("data", (chunk: Uint8Array) => {
      const p = this.#pending;
      if (!p) return;
      p.reader.pushStderr(chunk);
      if (p.reader.done) p.resolve();
    });
    const ended = () => {
      this.#closed = true;
      this.#pending?.resolve();
    };
    this.stream.on("end", ended);
    this.stream.on("close", ended);
    this.stream.on("error", ended);
  }
}

async function raceTimeout(done: Promise<void>, ms: number): Promise<"done" | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([done.then(() => "done" as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
