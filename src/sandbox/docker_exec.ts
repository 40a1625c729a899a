/**
 * One fresh process inside a running container through the Engine API's exec
 * endpoints, as the sandbox user or the programs user, with optional stdin, a
 * timeout that kills the whole process group, and capped output.
 */
import type { Container } from "dockerode";
import { PassThrough } from "node:stream";
import { SandboxError } from "../errors.ts";
import { PROGRAMS_ENV, SANDBOX_ENV } from "./hardening.ts";
import { PROGRAMS_USER, SANDBOX_USER } from "./limits.ts";
import { CappedOutput } from "./output_cap.ts";
import type { ExecResult, SandboxUserName } from "./sandbox.ts";

/** Exit status of a process group killed with SIGKILL (what `timeout -s KILL` leaves). */
const KILLED = 137;
/** Host-side grace after the in-container timeout before the call is abandoned. */
const HOST_GRACE_MS = 5_000;

/** The uid:gid and fixed environment of each {@link SandboxUserName}. */
export const EXEC_IDENTITY: Readonly<Record<SandboxUserName, { User: string; Env: readonly string[] }>> = {
  sandbox: { User: SANDBOX_USER, Env: SANDBOX_ENV },
  programs: { User: PROGRAMS_USER, Env: PROGRAMS_ENV },
};

/**
 * Wraps a command: umask 002, so what it creates stays writable by the other user of the sandbox's
 * group (see the README's security model), then `timeout`, which kills its process group.
 */
const WRAPPER = ["sh", "-c", 'umask 002 && exec timeout -s KILL "$@"', "sh"];

/** Options for {@link execInContainer}; all required, defaults are the caller's. */
export interface ExecOptions {
  /** Who runs it. */
  user: SandboxUserName;
  /**
   * Run `argv` as the exec's own process, without the umask and `timeout` wrapper: for a process
   * that kills every other process of its user, its parent included. The host still gives up on it
   * after `timeoutMs` and a grace period.
   */
  bare?: boolean;
  /** Written to the process's stdin in order, then closed. */
  stdin?: Uint8Array | readonly Uint8Array[];
  /**
   * `NAME=value` entries added to the fixed environment for this process only (the setup
   * container's proxy and index settings): an exec's environment is not part of the container's
   * configuration, so it is never committed into an image.
   */
  env?: readonly string[];
  timeoutMs: number;
  maxOutputBytes: number;
  cwd: string;
}

/**
 * Runs `argv` (no shell) as `options.user`. The command runs under
 * `timeout -s KILL`, which kills its process group at the deadline; the
 * container keeps running.
 *
 * @throws SandboxError when the engine refuses the exec or the stream fails.
 */
export async function execInContainer(
  container: Container,
  argv: string[],
  options: ExecOptions,
): Promise<ExecResult> {
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const cmd = options.bare ? argv : [...WRAPPER, `${seconds}s`, ...argv];
  const identity = EXEC_IDENTITY[options.user];
  const started = Date.now();
  try {
    const exec = await container.exec({
      Cmd: cmd,
      User: identity.User,
      WorkingDir: options.cwd,
      Env: [...identity.Env, ...(options.env ?? [])],
      AttachStdin: options.stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined });
    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    const outSink = new PassThrough();
    const errSink = new PassThrough();
    outSink.on("data", (c: Uint8Array) => stdout.push(c));
    errSink.on("data", (c: Uint8Array) => stderr.push(c));
    container.modem.demuxStream(stream, outSink, errSink);
    const ended = new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        resolve(false);
      }, seconds * 1000 + HOST_GRACE_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      stream.on("end", done);
      stream.on("close", done);
      stream.on("error", (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    if (options.stdin !== undefined) {
      for (const chunk of options.stdin instanceof Uint8Array ? [options.stdin] : options.stdin) {
        stream.write(chunk);
      }
      stream.end();
    }
    const finished = await ended;
    const info = await exec.inspect();
    const exitCode = finished ? info.ExitCode ?? null : null;
    const timedOut = !finished || (exitCode === KILLED && Date.now() - started >= seconds * 1000);
    return {
      exitCode: timedOut ? null : exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
    };
  } catch (error) {
    throw new SandboxError(
      `Cannot run ${JSON.stringify(argv[0])} in sandbox "${container.id.slice(0, 12)}"`,
      {
        cause: error,
      },
    );
  }
}
