/**
 * The failures of a pool of Docker engines (`DOCKER_HOSTS`). All are retryable: the work item
 * did not fail on its merits, and a retry is placed on an engine that answers, in a new sandbox.
 */
import { SandboxError } from "../errors.ts";

/** The engine a work item ran on stopped answering while the work item used it. */
export class DockerHostDownError extends SandboxError {
  override name = "DockerHostDownError";
  /** A retry (on another engine) may succeed. */
  readonly retryable = true;

  /** @param host the engine's URL as `DOCKER_HOSTS` gives it. */
  constructor(readonly host: string, options?: { cause?: unknown }) {
    super(
      `Docker host ${host} stopped answering; the work item's sandbox was lost with it (retryable: a retry runs on another host)`,
      options,
    );
  }
}

/**
 * The work item's sandbox stopped under it while its engine still answers: the engine stopped the
 * container (the Docker host is restarting or shutting down: dockerd stops its containers before its
 * API goes) or someone removed it.
 */
export class SandboxLostError extends SandboxError {
  override name = "SandboxLostError";
  /** A retry (in a new sandbox) may succeed. */
  readonly retryable = true;

  /**
   * @param host the engine's URL as `DOCKER_HOSTS` gives it.
   * @param sandbox the sandbox's name.
   * @param ended how its container ended, e.g. `exited (exit 143) at 2026-12-01T04:40:00Z`.
   */
  constructor(readonly host: string, readonly sandbox: string, ended: string, options?: { cause?: unknown }) {
    super(
      `The sandbox ${sandbox} on Docker host ${host} stopped under the work item (its container ${ended}): ` +
        "the engine stopped it (the host is restarting or shutting down) or someone removed it " +
        "(retryable: a retry runs in a new sandbox)",
      options,
    );
  }
}

/** No engine of the pool answers, so no sandbox can be placed. */
export class NoDockerHostError extends SandboxError {
  override name = "NoDockerHostError";
  /** A retry once an engine is back may succeed. */
  readonly retryable = true;

  /** @param down each engine and why it is down. */
  constructor(readonly down: ReadonlyArray<{ host: string; error: string }>) {
    super(
      `No Docker host can take a sandbox: every host of DOCKER_HOSTS is down (${
        down.map((d) => `${d.host}: ${d.error}`).join("; ")
      }). Start one of them or fix DOCKER_HOSTS; the work item is retryable`,
    );
  }
}
