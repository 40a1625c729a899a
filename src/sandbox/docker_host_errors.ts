/**
 * The failures of a pool of Docker engines (`DOCKER_HOSTS`). Both are retryable: the work item
 * did not fail on its merits, and a retry is placed on an engine that answers.
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
