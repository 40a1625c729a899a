/**
 * Why a setup produced no environment, read from what its runs reported: the install (timed out,
 * exited non-zero, gave no report, or found a credential it wrote) and the credential scan after it
 * (a hit, or no report). Pure functions; the builder turns a verdict into an `EnvironmentError` with
 * the output's tail and the egress log.
 */
import type { ExecResult } from "../sandbox/sandbox.ts";
import type { SetupFailure } from "./environment_error.ts";
import type { SetupReport } from "./setup_output.ts";

/** A setup that produced no environment: the reason (credentials redacted) and its kind. */
export interface SetupVerdict {
  message: string;
  failure: SetupFailure;
}

/**
 * The install's verdict, or undefined when it succeeded (exit 0 and a package report).
 * @param tail the output's last lines, credentials redacted (its last line is quoted on a failure).
 */
export function installVerdict(
  result: ExecResult,
  report: SetupReport | undefined,
  tail: string,
  timeoutMs: number,
): SetupVerdict | undefined {
  if (result.timedOut) {
    return {
      message: `setup ran past SETUP_TIMEOUT_MS (${timeoutMs} ms) and was stopped`,
      failure: "timeout",
    };
  }
  if (report && "leaked" in report) return leakVerdict(report.leaked);
  if (result.exitCode !== 0 || !report) {
    const last = tail.split("\n").at(-1) ?? "";
    return { message: `setup exited ${result.exitCode}: ${last}`.trim(), failure: "failed" };
  }
  return undefined;
}

/** The credential scan's verdict, or undefined when it found nothing. */
export function scanVerdict(
  report: SetupReport | undefined,
  exitCode: number | null,
): SetupVerdict | undefined {
  if (!report || !("leaked" in report)) {
    return {
      message: `the credential scan after setup gave no report (exit ${exitCode}); nothing was cached`,
      failure: "failed",
    };
  }
  return report.leaked.length > 0 ? leakVerdict(report.leaked) : undefined;
}

function leakVerdict(leaked: readonly string[]): SetupVerdict {
  return {
    message: `setup wrote the package index credentials into ${leaked.slice(0, 5).join(", ")}; ` +
      "nothing was cached. Make the setup script pass them only through the environment",
    failure: "leaked",
  };
}
