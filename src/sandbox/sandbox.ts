/**
 * The narrow boundary between the pipeline and a per-issue container.
 *
 * Nothing here knows about jobs, GitHub or the model: a sandbox runs commands
 * inside one locked-down container whose `/workspace` holds the target repo.
 */
/** The workspace folder inside every sandbox; tool paths are absolute under it. */
export const WORKSPACE = "/workspace";

/** What one command produced inside a sandbox. */
export interface ExecResult {
  /** Exit status; `null` when the command was killed at its timeout. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when the command ran past its timeout and was killed. */
  timedOut: boolean;
  /** True when stdout or stderr went past the output cap and was cut. */
  truncated: boolean;
  /** True when the command was killed by the sandbox's memory limit (exit 137 and the cgroup's OOM-kill counter rose). */
  oomKilled?: boolean;
  /** The sandbox's memory limit in MiB; set with {@link oomKilled}. */
  memoryLimitMb?: number;
}

/**
 * Who runs a command: `sandbox`, the user of the agent's processes (its bash session, its tests
 * and all they start; `SANDBOX_USER`); or `programs`, the user of the image's own programs
 * (`PROGRAMS_USER`), whose processes the sandbox user cannot signal, trace or read through `/proc`.
 */
export type SandboxUserName = "sandbox" | "programs";

/** Options for {@link Sandbox.run}. */
export interface RunOptions {
  /** Who runs it. Default: `sandbox`. Only the image's own programs run as `programs`. */
  user?: SandboxUserName;
  /** Bytes written to the command's standard input, which is then closed. */
  stdin?: Uint8Array | string;
  /** Kill the command after this many milliseconds. Default: the sandbox's command timeout. */
  timeoutMs?: number;
  /** Cap on stdout and on stderr, each. Default: the sandbox's output cap. */
  maxOutputBytes?: number;
  /** Working directory. Default: {@link WORKSPACE}. */
  cwd?: string;
}

/** Options for {@link Sandbox.bash}. */
export interface BashOptions {
  /** Kill the command after this many milliseconds. Default: the sandbox's command timeout. */
  timeoutMs?: number;
}

/** One running per-issue container. */
export interface Sandbox {
  /** The container's name (also its label value), e.g. `backend-agent-job-42-1`. */
  readonly name: string;
  /** The sha of the baseline commit made while the sandbox was created (see `baseline.ts`). */
  readonly baselineSha: string;
  /** Runs `argv` directly, without a shell, in a fresh process inside the container. */
  run(argv: string[], options?: RunOptions): Promise<ExecResult>;
  /**
   * Runs a command line in the model's bash session: working directory and
   * exported variables persist from one call to the next.
   */
  bash(command: string, options?: BashOptions): Promise<ExecResult>;
  /** Ends the bash session; the next {@link bash} call starts a fresh one. */
  restartBash(): Promise<void>;
  /**
   * Kills every process of the sandbox user, the bash session and whatever the agent left running
   * in the background, from a stopper those processes cannot trace or read; resolves once `/proc`
   * shows none alive. Call it before running anything whose output the host trusts. The
   * next {@link bash} call starts a fresh session, and says so.
   * @throws SandboxError when they could not all be killed; then nothing may be trusted.
   */
  stopAgentProcesses(): Promise<void>;
  /** Removes the container and its workspace volume. Idempotent. */
  dispose(): Promise<void>;
}

/** Input for {@link SandboxFactory.create}. */
export interface SandboxSpec {
  /** Unique, Docker-safe name for the container and its volume. */
  name: string;
  /**
   * A tar archive whose entries are relative to `/workspace` (no leading
   * folder). It is unpacked into the workspace before the container starts.
   */
  seed: Uint8Array;
  /** Extra labels to put on the container and volume (e.g. the job id). */
  labels?: Record<string, string>;
  /**
   * The image to start from: the repository's environment (`backend-agent/env:<key>`, the base
   * image with its dependencies in /opt/venv). Default: the configured sandbox image.
   */
  image?: string;
}

/** Creates sandboxes; the composition root picks the implementation. */
export interface SandboxFactory {
  create(spec: SandboxSpec): Promise<Sandbox>;
}

/** One file that differs from the workspace baseline. */
export interface FileChange {
  /** Path relative to the repository root, `/`-separated. */
  path: string;
  status: "added" | "modified" | "deleted";
  /** Git file mode: `100644` or `100755`. Absent for deletions. */
  mode?: "100644" | "100755";
  /** New content. Absent for deletions. */
  content?: Uint8Array;
}
