/** A setup that failed or ran out of time, with what it printed last and what it fetched. */
import type { EgressEntry } from "../contracts/environment.ts";
import { AgentRunnerError } from "../errors.ts";

/** Why setup did not produce an environment. */
export type SetupFailure = "failed" | "timeout" | "leaked";

/**
 * The environment could not be built; the work item ends `environment_failed`. Its message and
 * {@link output} are redacted (no index credentials).
 */
export class EnvironmentError extends AgentRunnerError {
  override name = "EnvironmentError";
  constructor(
    message: string,
    readonly failure: SetupFailure,
    /** The last lines setup printed, credentials redacted. */
    readonly output: string,
    /** What setup asked the egress proxy for. */
    readonly egress: EgressEntry[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
