/**
 * The Docker implementation of {@link SandboxFactory}: a hardened container
 * around a tmpfs-backed workspace volume.
 *
 * Seeding: the engine's archive API is never used. A tmpfs volume is mounted
 * only while a container uses it, so anything the archive API writes into it
 * before start is gone at start; and against a running container the archive
 * API is the CVE-2018-15664 class of risk (the root daemon resolving paths the
 * container controls). Instead the seed tar is streamed to `tar` running
 * inside the started container as the unprivileged sandbox user, before any
 * tool call; the tmpfs size caps what it can write.
 *
 * Users: the agent's processes run as the sandbox user, the image's own
 * programs and the container's init as the programs user, in the same group;
 * every process the host starts has umask 002 and the seeded files are made
 * group-writable, so both can edit what either wrote. Before the host trusts
 * an output, {@link Sandbox.stopAgentProcesses} kills every process of the
 * sandbox user (the init survives: it is not theirs).
 *
 * Speed: seeding, the baseline commit and the model's bash session share one
 * exec. The session is opened first, the seed is streamed through it to `tar`,
 * and git commits the baseline in the same command, so a sandbox is ready one
 * exec after its container starts.
 */
import type Docker from "dockerode";
import type { Container } from "dockerode";
import { SandboxError } from "../errors.ts";
import { BASELINE_SCRIPT, isSha } from "./baseline.ts";
import { execInContainer } from "./docker_exec.ts";
import { buildCreateBody, buildVolumeBody } from "./hardening.ts";
import { LABELS, type SandboxLimits } from "./limits.ts";
import { readOomKills, SIGKILL_STATUS } from "./oom_counter.ts";
import { ProcessStopper } from "./process_stopper.ts";
import {
  type BashOptions,
  type ExecResult,
  type RunOptions,
  type Sandbox,
  type SandboxFactory,
  type SandboxSpec,
  WORKSPACE,
} from "./sandbox.ts";
import { ShellSession } from "./shell_session.ts";
import { sandboxImageProblem } from "./sandbox_image.ts";

/** Options for {@link createDockerSandboxFactory}. */
export interface DockerSandboxOptions {
  /** Limits and image for every sandbox (from config). */
  limits: SandboxLimits;
  /** Largest seed archive accepted, bytes (the service passes the workspace volume's size). */
  maxSeedBytes: number;
}

/**
 * Builds a factory for hardened per-issue containers on `docker`.
 * Needs: access to the Docker socket (Deno: `--allow-read` and `--allow-write` on it, or `--allow-net` for `DOCKER_HOST=tcp://…`).
 */
export function createDockerSandboxFactory(docker: Docker, options: DockerSandboxOptions): SandboxFactory {
  const maxSeedBytes = options.maxSeedBytes;
  return {
    async create(spec: SandboxSpec): Promise<Sandbox> {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/.test(spec.name)) {
        throw new SandboxError(
          `Cannot create sandbox "${spec.name}": the name must be a Docker-safe identifier`,
        );
      }
      if (spec.seed.byteLength > maxSeedBytes) {
        throw new SandboxError(
          `Cannot seed sandbox "${spec.name}": archive is ${spec.seed.byteLength} bytes, over the ${maxSeedBytes}-byte cap (the workspace volume, SANDBOX_WORKSPACE_MB)`,
        );
      }
      const labels = { ...spec.labels, [LABELS.createdAt]: String(Date.now()) };
      const volumeName = `${spec.name}-workspace`;
      let container: Container | undefined;
      let volumeCreated = false;
      try {
        await docker.createVolume(buildVolumeBody(volumeName, options.limits, labels));
        volumeCreated = true;
        container = await docker.createContainer(
          buildCreateBody(
            { name: spec.name, volume: volumeName, labels },
            spec.image ? { ...options.limits, image: spec.image } : options.limits,
          ),
        );
        await container.start();
        const shell = await ShellSession.open(container);
        const stopper = new ProcessStopper(container);
        const baselineSha = await seedWorkspace(shell, spec.seed).catch((error: unknown) => {
          stopper.detach();
          throw error;
        });
        return new DockerSandbox(
          docker,
          container,
          volumeName,
          spec.name,
          options.limits,
          shell,
          stopper,
          baselineSha,
        );
      } catch (error) {
        if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
        if (volumeCreated) await docker.getVolume(volumeName).remove({ force: true }).catch(() => undefined);
        // The image went missing after the environment was chosen: say how to build it.
        const image = spec.image ?? options.limits.image;
        const problem = image === options.limits.image ? sandboxImageProblem(image, error) : undefined;
        throw new SandboxError(`Cannot create sandbox "${spec.name}": ${problem ?? describe(error)}`, {
          cause: error,
        });
      }
    },
  };
}

const SEED_FAILED = 90;
const BASELINE_FAILED = 91;

/**
 * Unpacks the seed tar into /workspace, makes it group-writable (the programs user edits it too),
 * and commits the baseline, as the sandbox user; returns the sha.
 */
async function seedWorkspace(shell: ShellSession, seed: Uint8Array): Promise<string> {
  const script = [
    `tar -x --no-same-owner --no-same-permissions --no-overwrite-dir -C ${WORKSPACE} -f - || exit ${SEED_FAILED}`,
    `chmod -R g+w ${WORKSPACE} || exit ${SEED_FAILED}`,
    `( ${BASELINE_SCRIPT}\n ) </dev/null || exit ${BASELINE_FAILED}`,
  ].join("\n");
  const result = await shell.run(script, { stdin: seed, timeoutMs: 60_000, maxOutputBytes: 16_384 });
  const sha = result.stdout.trim().split("\n").pop() ?? "";
  if (result.exitCode === 0 && isSha(sha)) return sha;
  const why = result.timedOut ? "timed out" : result.stderr.trim() || `exit ${result.exitCode}`;
  if (result.exitCode === BASELINE_FAILED) throw new SandboxError(`the baseline commit failed: ${why}`);
  throw new SandboxError(`the seed archive did not unpack: ${why}`);
}

/** Put before the output of the first command after {@link Sandbox.stopAgentProcesses}. */
const STOPPED_NOTE =
  "(Every process in the sandbox was stopped to check your submission; this command ran in a " +
  "new bash session in /workspace: variables, the working directory and background processes are gone.)";

class DockerSandbox implements Sandbox {
  #shell: ShellSession | undefined;
  #disposed: Promise<void> | undefined;
  /** True after {@link stopAgentProcesses}, until the next bash command has said so. */
  #stopped = false;
  /** The highest OOM-kill count seen so far, from the shell or from a read after a run. */
  #oomSeen: number;

  constructor(
    private readonly docker: Docker,
    private readonly container: Container,
    private readonly volumeName: string,
    readonly name: string,
    private readonly limits: SandboxLimits,
    shell: ShellSession,
    private readonly stopper: ProcessStopper,
    readonly baselineSha: string,
  ) {
    this.#shell = shell;
    this.#oomSeen = shell.oomKills;
  }

  async run(argv: string[], options: RunOptions = {}): Promise<ExecResult> {
    this.#assertLive();
    const stdin = typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin;
    const result = await execInContainer(this.container, argv, {
      user: options.user ?? "sandbox",
      ...(stdin ? { stdin } : {}),
      timeoutMs: options.timeoutMs ?? this.limits.commandTimeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? this.limits.maxOutputBytes,
      cwd: options.cwd ?? WORKSPACE,
    });
    if (result.exitCode !== SIGKILL_STATUS || result.timedOut) return result;
    const before = Math.max(this.#oomSeen, this.#shell?.oomKills ?? -1);
    const now = await readOomKills(this.container);
    this.#oomSeen = Math.max(before, now);
    return before >= 0 && now > before ? this.#withOom(result) : result;
  }

  async bash(command: string, options: BashOptions = {}): Promise<ExecResult> {
    this.#assertLive();
    if (!this.#shell || this.#shell.closed) this.#shell = await ShellSession.open(this.container);
    const result = await this.#shell.run(command, {
      timeoutMs: options.timeoutMs ?? this.limits.commandTimeoutMs,
      maxOutputBytes: this.limits.maxOutputBytes,
    });
    this.#oomSeen = Math.max(this.#oomSeen, this.#shell.oomKills);
    const noted = this.#stopped ? { ...result, stderr: `${STOPPED_NOTE}\n${result.stderr}` } : result;
    this.#stopped = false;
    return noted.oomKilled ? this.#withOom(noted) : noted;
  }

  #withOom(result: ExecResult): ExecResult {
    return { ...result, oomKilled: true, memoryLimitMb: this.limits.memoryMb };
  }

  async restartBash(): Promise<void> {
    this.#assertLive();
    await this.#shell?.close();
    this.#shell = undefined;
  }

  async stopAgentProcesses(): Promise<void> {
    this.#assertLive();
    // The session's bash is one of them: drop it first, so nothing is sent to a dying shell.
    this.#shell?.detach();
    this.#shell = undefined;
    this.#stopped = true;
    await this.stopper.stop();
  }

  dispose(): Promise<void> {
    this.#disposed ??= this.#remove();
    return this.#disposed;
  }

  async #remove(): Promise<void> {
    this.#shell?.detach();
    this.stopper.detach();
    await this.container.remove({ force: true, v: true }).catch((e) => ignoreMissing(e));
    await this.docker.getVolume(this.volumeName).remove({ force: true }).catch((e) => ignoreMissing(e));
  }

  #assertLive(): void {
    if (this.#disposed) throw new SandboxError(`Sandbox "${this.name}" has been disposed`);
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode === 404) return;
  throw new SandboxError("Cannot remove sandbox resources", { cause: error });
}

function describe(error: unknown): string {
  const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(error);
}
