/**
 * Names the engine when one stops answering under a work item: a sandbox of a pooled engine whose
 * operation fails is checked with a ping, and when the engine does not answer the failure becomes a
 * {@link DockerHostDownError} naming it (retryable), with the engine's own error as `cause`. A
 * sandbox whose removal failed that way is handed to `lost`, to be removed once the engine is back.
 */
import { DockerHostDownError } from "./docker_host_errors.ts";
import type { Sandbox, SandboxFactory } from "./sandbox.ts";

/** The engine a guard watches. */
export interface GuardedHost {
  /** Its URL, named in the error. */
  readonly name: string;
  /** Pings it now: false when it does not answer. */
  confirmUp(): Promise<boolean>;
  /** A sandbox (its name) that could not be removed because the engine was down. */
  lost(sandbox: string): void;
}

/** Runs `operation`; a failure while `host` does not answer becomes {@link DockerHostDownError}. */
export async function onHost<T>(host: GuardedHost, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof DockerHostDownError || await host.confirmUp()) throw error;
    throw new DockerHostDownError(host.name, { cause: error });
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
    return onHost(this.host, () => this.inner.run(...args));
  }

  bash(...args: Parameters<Sandbox["bash"]>) {
    return onHost(this.host, () => this.inner.bash(...args));
  }

  restartBash() {
    return onHost(this.host, () => this.inner.restartBash());
  }

  stopAgentProcesses() {
    return onHost(this.host, () => this.inner.stopAgentProcesses());
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
