/**
 * Octokit failures turned into {@link GitHubError}s in one place. The client's request hook
 * ({@link mapRequestFailures}) makes every failed REST request a {@link GitHubRequestFailure}
 * (Octokit's `RequestError` read once: GitHub's status and message, the token and URL queries
 * redacted); each operation then names itself with {@link toGitHubError}.
 */
import { STATUS_CODES } from "node:http";
import { RequestError } from "@octokit/request-error";
import { GitHubError } from "../errors.ts";

/** The longest error message kept (GitHub's own messages are far shorter). */
const MESSAGE_MAX_CHARS = 2_000;

/** A failed GitHub request: GitHub's answer (or the network failure), never the token. */
export class GitHubRequestFailure extends GitHubError {
  override name = "GitHubRequestFailure";
  /** GitHub's HTTP status; undefined when GitHub could not be reached. */
  readonly status: number | undefined;
  /** GitHub's `message` followed by its `errors`' messages, if it sent one. */
  readonly githubMessage: string | undefined;

  constructor(reason: string, status: number | undefined, githubMessage: string | undefined, cause: unknown) {
    super(reason, { cause });
    this.status = status;
    this.githubMessage = githubMessage;
  }
}

/** GitHub's `message`, followed by the messages (or `field code`) of its `errors`, if any. */
function messageOf(data: unknown): string | undefined {
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

/** `text` without `token` and without URL queries (codeload archive links carry a one-time token there). */
function redacted(text: string, token: string): string {
  // Cut before the URL pattern, which costs the square of a long run without blanks.
  return text.replaceAll(token, "[REDACTED]").slice(0, MESSAGE_MAX_CHARS)
    .replace(/(https?:\/\/[^\s?)]+)\?[^\s)]*/g, "$1?[REDACTED]");
}

/**
 * `error` as a {@link GitHubRequestFailure}: `GitHub answered 404 Not Found (…)` for Octokit's
 * `RequestError` with a response, `GitHub could not be reached (…)` otherwise. A GitHubError passes
 * through unchanged.
 */
export function requestFailure(error: unknown, token: string): GitHubError {
  if (error instanceof GitHubError) return error;
  if (error instanceof RequestError && error.response) {
    const statusText = STATUS_CODES[error.status] ?? "Error";
    const detail = messageOf(error.response.data);
    const reason = `GitHub answered ${error.status} ${statusText}${
      detail && detail !== statusText ? ` (${detail})` : ""
    }`;
    return new GitHubRequestFailure(redacted(reason, token), error.status, detail, error);
  }
  const reason = `GitHub could not be reached (${error instanceof Error ? error.message : String(error)})`;
  return new GitHubRequestFailure(redacted(reason, token), undefined, undefined, error);
}

/**
 * Registers the request hook that makes every failed request of `octokit` a
 * {@link GitHubRequestFailure}. Registered after the retry and throttling plugins, it wraps them, so
 * it sees only what they gave up on.
 */
export function mapRequestFailures(
  hook: { error(name: "request", fn: (error: unknown) => never): void },
  token: string,
): void {
  hook.error("request", (error: unknown) => {
    throw requestFailure(error, token);
  });
}

/**
 * `Cannot <what>: GitHub answered 404 Not Found (…)` with the token scrubbed, chaining `error` as
 * cause. A {@link GitHubError} other than a request failure passes through unchanged.
 */
export function toGitHubError(what: string, error: unknown, token: string): GitHubError {
  const failure = requestFailure(error, token);
  if (!(failure instanceof GitHubRequestFailure)) return failure;
  return new GitHubError(redacted(`Cannot ${what}: ${failure.message}`, token), { cause: failure });
}

/** The status GitHub answered `error` with, whether Octokit's hook mapped it already or not. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof GitHubRequestFailure || error instanceof RequestError) return error.status;
  return undefined;
}

/** A 422 from GitHub whose message (or one of its `errors`) matches `pattern`. */
export function isValidationFailure(error: unknown, pattern: RegExp): boolean {
  if (statusOf(error) !== 422) return false;
  const message = error instanceof GitHubRequestFailure
    ? error.githubMessage
    : messageOf((error as RequestError).response?.data);
  return pattern.test(message ?? "");
}

/** A 404 from GitHub (missing, or invisible to the token). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}
