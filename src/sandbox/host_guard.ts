/**
 * Names the engine when one stops answering under a work item: a sandbox of a pooled engine whose
 * operation fails is checked with a ping, and when the engine does not answer the failure becomes a
 * {@link DockerHostDownError} naming it (retryable), with the engine's own error as `cause`. When
 * the engine answers but the sandbox's container no longer runs (a Docker host shutting down stops
 * its containers while its API still answers), the failure becomes a {@link SandboxLostError}
 * (retryable). A sandbox whose removal failed with the engine down is handed to `lost`, to be
 * removed once the engine is back.
 */
import type Docker from "dockerode";
import { DockerHostDownError, SandboxLostError } from "./docker_host_errors.ts";
import type { Sandbox, SandboxFactory } from "./sandbox.ts";

/** The engine a guard watches. */
export interface GuardedHost {
  /** Its URL, named in the error. */
  readonly name: string;
  /** Pings it now: false when it does not answer. */
  confirmUp(): Promise<boolean>;
  /** A sandbox (its name) that could not be removed because the engine was down. */
  lost(sandbox: string): void;
  /** How sandbox `name`'s container ended when it no longer runs ({@link containerEnded}). */
  sandboxEnded(name: string): Promise<string | undefined>;
}

/**
 * Runs `operation`; a failure while `host` does not answer becomes {@link DockerHostDownError}, and
 * one while sandbox `sandbox`'s container no longer runs becomes {@link SandboxLostError}.
 */
export async function onHost<T>(
  host: GuardedHost,
  operation: () => Promise<T>,
  sandbox?: string,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof DockerHostDownError || error instanceof SandboxLostError) throw error;
    if (!await host.confirmUp()) throw new DockerHostDownError(host.name, { cause: error });
    const ended = sandbox === undefined ? undefined : await host.sandboxEnded(sandbox).catch(() => undefined);
    if (ended !== undefined) throw new SandboxLostError(host.name, sandbox!, ended, { cause: error });
    throw error;
  }
}

/**
 * How container `name` ended, e.g. `exited (exit 143) at 2026-12-01T04:40:00Z` or `was removed`;
 * undefined while it runs (or is paused, restarting or being created).
 * @throws the engine's error for anything but 404.
 */
export async function containerEnded(docker: Docker, name: string): Promise<string | undefined> {
  try {
    const { State } = await docker.getContainer(name).inspect();
    if (!["exited", "dead", "removing"].includes(State.Status)) return undefined;
    return `${State.Status} (exit ${State.ExitCode}) at ${State.FinishedAt}`;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return "was removed";
    throw error;
  }
}

/** `factory`, with every sandbox it makes guarded. */
export function guardSandboxes(factory: SandboxFactory, host: GuardedHost): SandboxFactory {
  return {
    async create(spec) {
      return new GuardedSandbox(await onHost(host, () => factory.create(spec)), host);
    },
  };
}

class GuardedSandbox implements Sandbox {
  constructor(private readonly inner: Sandbox, private readonly host: GuardedHost) {}

  get name(): string {
    return this.inner.name;
  }

  get baselineSha(): string {
    return this.inner.baselineSha;
  }

  run(...args: Parameters<Sandbox["run"]>) {
    return onHost(this.host, () => this.inner.run(...args), this.inner.name);
  }

  bash(...args: Parameters<Sandbox["bash"]>) {
    return onHost(this.host, () => this.inner.bash(...args), this.inner.name);
  }

  restartBash() {
    return onHost(this.host, () => this.inner.restartBash(), this.inner.name);
  }

  stopAgentProcesses() {
    return onHost(this.host, () => this.inner.stopAgentProcesses(), this.inner.name);
  }

  async dispose(): Promise<void> {
    try {
      await onHost(this.host, () => this.inner.dispose());
    } catch (error) {
      if (error instanceof DockerHostDownError) this.host.lost(this.inner.name);
      throw error;
    }
  }
}
