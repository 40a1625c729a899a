/**
 * Octokit failures (`RequestError`) read defensively and turned into
 * {@link GitHubError}s whose messages name the operation and GitHub's answer,
 * never the token.
 */
import { STATUS_CODES } from "node:http";
import { GitHubError } from "../errors.ts";

/** The longest error message kept (GitHub's own messages are far shorter). */
const MESSAGE_MAX_CHARS = 2_000;

/** What failed Octokit calls carry (`RequestError`), read defensively. */
interface FailedRequest {
  status?: unknown;
  response?: { data?: unknown };
}

/** GitHub's `message`, followed by the messages (or `field code`) of its `errors`, if any. */
function githubMessage(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  if (typeof message !== "string") return undefined;
  const details = Array.isArray(errors)
    ? errors.flatMap((item) => {
      if (typeof item?.message === "string") return [item.message as string];
      const parts = [item?.field, item?.code].filter((part) => typeof part === "string");
      return parts.length > 0 ? [parts.join(" ")] : [];
    })
    : [];
  return details.length > 0 ? `${message}: ${details.join("; ")}` : message;
}

/**
 * `Cannot <what>: GitHub answered 404 Not Found (…)` with the token scrubbed, chaining `error` as
 * cause. A {@link GitHubError} passes through unchanged.
 */
export function toGitHubError(what: string, error: unknown, token: string): GitHubError {
  if (error instanceof GitHubError) return error;
  const failed = (typeof error === "object" && error !== null ? error : {}) as FailedRequest;
  const status = typeof failed.status === "number" ? failed.status : undefined;
  let reason: string;
  if (status !== undefined && failed.response) {
    const statusText = STATUS_CODES[status] ?? "Error";
    const detail = githubMessage(failed.response.data);
    reason = `GitHub answered ${status} ${statusText}${
      detail && detail !== statusText ? ` (${detail})` : ""
    }`;
  } else {
    reason = `GitHub could not be reached (${error instanceof Error ? error.message : String(error)})`;
  }
  // The token, and any URL query (codeload archive links carry a one-time token there), are left out. The
  // message is cut before the URL pattern, which costs the square of a long run without blanks.
  const message = `Cannot ${what}: ${reason}`.replaceAll(token, "[REDACTED]").slice(0, MESSAGE_MAX_CHARS)
    .replace(/(https?:\/\/[^\s?)]+)\?[^\s)]*/g, "$1?[REDACTED]");
  return new GitHubError(message, { cause: error });
}

/** A 422 from GitHub whose message (or one of its `errors`) matches `pattern`. */
export function isValidationFailure(error: unknown, pattern: RegExp): boolean {
  const failed = error as FailedRequest | undefined;
  return failed?.status === 422 && pattern.test(githubMessage(failed.response?.data) ?? "");
}

/** A 404 from GitHub (missing, or invisible to the token). */
export function isNotFound(error: unknown): boolean {
  return (error as FailedRequest | undefined)?.status === 404;
}
