/**
 * One fresh process inside a running container through the Engine API's exec
 * endpoints, with optional stdin, a timeout that kills the whole process group,
 * and capped output.
 */
import type { Container } from "dockerode";
import { PassThrough } from "node:stream";
import { SandboxError } from "../errors.ts";
import { SANDBOX_ENV } from "./hardening.ts";
import { SANDBOX_USER } from "./limits.ts";
import { CappedOutput } from "./output_cap.ts";
import type { ExecResult } from "./sandbox.ts";

/** Exit status of a process group killed with SIGKILL (what `timeout -s KILL` leaves). */
const KILLED = 137;
/** Host-side grace after the in-container timeout before the call is abandoned. */
const HOST_GRACE_MS = 5_000;

/** Options for {@link execInContainer}; all required, defaults are the caller's. */
export interface ExecOptions {
  stdin?: Uint8Array;
  timeoutMs: number;
  maxOutputBytes: number;
  cwd: string;
}

/**
 * Runs `argv` (no shell) as the sandbox user. The command runs under
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
  const cmd = ["timeout", "-s", "KILL", `${seconds}s`, ...argv];
  const started = Date.now();
  try {
    const exec = await container.exec({
      Cmd: cmd,
      User: SANDBOX_USER,
      WorkingDir: options.cwd,
      Env: [...SANDBOX_ENV],
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
      stream.write(options.stdin);
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
