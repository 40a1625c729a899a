/**
 * What a failed Messages API call means for the run, after the SDK's own retries: a stop for good, or
 * a failure the loop can get past (the context overflowed, the request was too large, a rate limit).
 * Status codes and error types are the API's (https://docs.claude.com/en/api/errors).
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { CANCELLED, type Stop } from "./outcome.ts";
import { rateLimitWaitMs } from "./rate_limit.ts";

/** A failed model call, classified; `detail` says what the API answered, for people. */
export type ModelFailure =
  | { kind: "stop"; stop: Stop }
  /** 400 `invalid_request_error` "prompt is too long: N tokens > M maximum". */
  | { kind: "context_overflow"; detail: string }
  /** 413 `request_too_large`: the body is over the endpoint's byte limit (32 MB for messages). */
  | { kind: "request_too_large"; detail: string }
  /** 429 `rate_limit_error`; `waitMs` from `retry-after(-ms)` and the exhausted `anthropic-ratelimit-*` resets. */
  | { kind: "rate_limited"; waitMs: number | undefined; detail: string };

/**
 * Classifies what a model call threw.
 *
 * `cancel` aborted → `cancelled`; the call's own timer → `timeout`; 404 naming the model →
 * `model_not_found` (the model id is unknown or retired); 5xx and 529 `overloaded_error`, or a
 * network failure, that outlasted the SDK's retries → `model_unavailable`; any other API error →
 * `model_error`. `now` reads the clock for `anthropic-ratelimit-*-reset` times.
 *
 * @throws whatever else was thrown (not an SDK error: a bug).
 */
export function classifyModelFailure(
  error: unknown,
  options: { model: string; cancel: AbortSignal | undefined; now: number },
): ModelFailure {
  const stop = (status: Stop["status"], reason: string): ModelFailure => ({
    kind: "stop",
    stop: { status, reason },
  });
  if (options.cancel?.aborted) return { kind: "stop", stop: CANCELLED };
  if (error instanceof Anthropic.APIUserAbortError) {
    return stop("timeout", "Wall-clock budget ran out while waiting for the model");
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return stop("model_unavailable", `The model API could not be reached: ${error.message}`);
  }
  if (error instanceof Anthropic.APIError) {
    const detail = describeApiError(error);
    const message = error.apiMessage ?? error.message;
    if (error.status === 400 && /prompt is too long/i.test(message)) {
      return { kind: "context_overflow", detail };
    }
    if (error.status === 413) return { kind: "request_too_large", detail };
    if (error.status === 429) {
      return { kind: "rate_limited", waitMs: rateLimitWaitMs(error.headers, options.now), detail };
    }
    // The Anthropic API: 404 "model: <id>"; Vertex: 404 "Publisher Model … was not found"; Bedrock:
    // 400 ValidationException "The provided model identifier is invalid."
    if (
      (error.status === 404 && /\bmodel\b/i.test(message)) || /model identifier is invalid/i.test(message)
    ) {
      return stop(
        "model_not_found",
        `The model API does not serve model "${options.model}" (unknown or retired): ${detail}`,
      );
    }
    if (error.status !== undefined && error.status >= 500) {
      return stop("model_unavailable", `The model API stayed unavailable after retries: ${detail}`);
    }
    return stop("model_error", `Model call failed: ${detail}`);
  }
  if (error instanceof Anthropic.AnthropicError) {
    return stop("model_error", `Model call failed: ${error.message}`);
  }
  throw error;
}

/** `HTTP 529 (overloaded_error): Overloaded [request-id req_…]`. */
function describeApiError(error: InstanceType<typeof Anthropic.APIError>): string {
  return [
    error.status ? `HTTP ${error.status}` : "no HTTP status",
    error.type ? ` (${error.type})` : "",
    `: ${error.apiMessage ?? error.message}`,
    error.requestID ? ` [request-id ${error.requestID}]` : "",
  ].join("");
}
