/**
 * The model's bash session: one long-lived `bash` inside the container, fed
 * commands over a single attached exec. The working directory and exported
 * variables persist between commands, like Anthropic's bash tool.
 *
 * Each command is sent base64-encoded and run with `eval` (so a syntax error
 * is an ordinary failure, never a hung shell) with stdin from /dev/null; a
 * sentinel line carrying `$?` marks its end on stdout, another on stderr.
 */
import type { Container } from "dockerode";
import { Buffer } from "node:buffer";
import { type Duplex, PassThrough } from "node:stream";
import { SandboxError } from "../errors.ts";
import { execInContainer } from "./docker_exec.ts";
import { SANDBOX_ENV } from "./hardening.ts";
import { SANDBOX_USER } from "./limits.ts";
import { CappedOutput } from "./output_cap.ts";
import { type ExecResult, WORKSPACE } from "./sandbox.ts";

/** How long a killed command gets to hand back its sentinel before the shell itself is replaced. */
const KILL_GRACE_MS = 2_000;

interface Pending {
  nonce: string;
  stdout: CappedOutput;
  stderr: CappedOutput;
  outTail: string;
  errTail: string;
  exitCode?: number;
  errDone: boolean;
  resolve: () => void;
}

/** A persistent bash process inside one container. Use {@link ShellSession.open}. */
export class ShellSession {
  #pending: Pending | undefined;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly container: Container,
    private readonly stream: Duplex,
    readonly pid: number,
  ) {}

  /** True once the shell has exited or was killed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Starts `bash` in /workspace as the sandbox user and waits until it answers.
   * @throws SandboxError when the exec cannot be started.
   */
  static async open(container: Container): Promise<ShellSession> {
    try {
      const exec = await container.exec({
        Cmd: ["bash", "--noprofile", "--norc"],
        User: SANDBOX_USER,
        WorkingDir: WORKSPACE,
        Env: [...SANDBOX_ENV],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: true }) as Duplex;
      const pid = await readReady(container, stream);
      const session = new ShellSession(container, stream, pid);
      session.#wire();
      return session;
    } catch (error) {
      throw new SandboxError("Cannot start the bash session in the sandbox", { cause: error });
    }
  }

  /**
   * Runs one command line. At `timeoutMs` the command's processes are killed
   * and `timedOut` is reported; the session stays usable (or, when the shell
   * itself was stuck, is closed so the caller can open a fresh one).
   */
  run(command: string, options: { timeoutMs: number; maxOutputBytes: number }): Promise<ExecResult> {
    const next = this.#queue.then(() => this.#run(command, options));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Kills the shell and everything it started. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.destroy();
    await killTree(this.container, this.pid, true).catch(() => undefined);
  }

  async #run(command: string, options: { timeoutMs: number; maxOutputBytes: number }): Promise<ExecResult> {
    if (this.#closed) throw new SandboxError("The bash session has exited; restart it");
    const nonce = crypto.randomUUID().replaceAll("-", "");
    const encoded = Buffer.from(command, "utf8").toString("base64");
    const done = new Promise<void>((resolve) => {
      this.#pending = {
        nonce,
        stdout: new CappedOutput(options.maxOutputBytes),
        stderr: new CappedOutput(options.maxOutputBytes),
        outTail: "",
        errTail: "",
        errDone: false,
        resolve,
      };
    });
    const pending = this.#pending!;
    this.stream.write(
      `eval "$(printf '%s' '${encoded}' | base64 -d)" </dev/null; __rc=$?; ` +
        `printf '\\n__BA_${nonce}_%d__\\n' "$__rc"; printf '\\n__BA_${nonce}__\\n' >&2\n`,
    );
    let timedOut = false;
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), options.timeoutMs));
    if (await Promise.race([done.then(() => "done" as const), timer]) === "timeout") {
      timedOut = true;
      await killTree(this.container, this.pid, false).catch(() => undefined);
      const grace = new Promise<"stuck">((r) => setTimeout(() => r("stuck"), KILL_GRACE_MS));
      if (await Promise.race([done.then(() => "done" as const), grace]) === "stuck") await this.close();
    }
    this.#pending = undefined;
    const stdout = stripSentinel(pending.stdout.text(), new RegExp(`\\n__BA_${nonce}_\\d+__\\n$`));
    const stderr = stripSentinel(pending.stderr.text(), new RegExp(`\\n__BA_${nonce}__\\n$`));
    return {
      exitCode: timedOut ? null : pending.exitCode ?? null,
      stdout,
      stderr: this.#closed
        ? `${stderr}\n(${
          timedOut ? "the command did not stop; " : ""
        }the bash session ended; the next command starts a new one)`
        : stderr,
      timedOut,
      truncated: pending.stdout.truncated || pending.stderr.truncated,
    };
  }

  #wire(): void {
    const out = new PassThrough();
    const err = new PassThrough();
    this.container.modem.demuxStream(this.stream, out, err);
    out.on("data", (chunk: Uint8Array) => {
      const p = this.#pending;
      if (!p) return;
      p.stdout.push(chunk);
      p.outTail = (p.outTail + new TextDecoder().decode(chunk)).slice(-200);
      const m = p.outTail.match(new RegExp(`\\n__BA_${p.nonce}_(\\d+)__\\n$`));
      if (m) {
        p.exitCode = Number(m[1]);
        if (p.errDone) p.resolve();
      }
    });
    err.on("data", (chunk: Uint8Array) => {
      const p = this.#pending;
      if (!p) return;
      p.stderr.push(chunk);
      p.errTail = (p.errTail + new TextDecoder().decode(chunk)).slice(-200);
      if (p.errTail.endsWith(`\n__BA_${p.nonce}__\n`)) {
        p.errDone = true;
        if (p.exitCode !== undefined) p.resolve();
      }
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

function stripSentinel(text: string, sentinel: RegExp): string {
  return text.replace(sentinel, "");
}

/** Waits for the shell's first line, which carries its pid. */
function readReady(container: Container, stream: Duplex): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = new PassThrough();
    const sink = new PassThrough();
    let seen = "";
    const timer = setTimeout(() => reject(new Error("bash did not answer within 10 s")), 10_000);
    out.on("data", (chunk: Uint8Array) => {
      seen += new TextDecoder().decode(chunk);
      const m = seen.match(/__BA_ready_(\d+)__\n/);
      if (m) {
        clearTimeout(timer);
        stream.unpipe();
        stream.removeAllListeners("data");
        resolve(Number(m[1]));
      }
    });
    container.modem.demuxStream(stream, out, sink);
    stream.write("printf '__BA_ready_%d__\\n' $$\n");
  });
}

/** Kills every descendant of `pid` (and `pid` itself when `self`), from a separate exec. */
async function killTree(container: Container, pid: number, self: boolean): Promise<void> {
  const script =
    `k(){ for c in $(pgrep -P "$1"); do kill -STOP "$c" 2>/dev/null; k "$c"; kill -KILL "$c" 2>/dev/null; done; }; k ${pid}` +
    (self ? `; kill -KILL ${pid} 2>/dev/null` : "") + "; true";
  await execInContainer(container, ["bash", "-c", script], {
    timeoutMs: 10_000,
    maxOutputBytes: 4096,
    cwd: "/",
  });
}
