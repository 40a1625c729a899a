/**
 * Waiting out a rate limit: how long a 429 asks the client to wait (the wait itself is
 * `sleep_unless_aborted.ts`, which the job's abort signal ends early).
 *
 * @module
 */

/**
 * The `anthropic-ratelimit-*` families whose `-remaining` and `-reset` headers a 429 may carry
 * (https://docs.claude.com/en/api/rate-limits#response-headers).
 */
const LIMITS = ["requests", "tokens", "input-tokens", "output-tokens"] as const;

/**
 * Milliseconds a 429 asks for, from `now` (ms since the epoch): the longest of `retry-after-ms`,
 * `retry-after` (seconds or an HTTP date) and the `anthropic-ratelimit-<limit>-reset` time (RFC 3339)
 * of each limit whose `-remaining` is 0. `undefined` when the response names none.
 */
export function rateLimitWaitMs(headers: Headers | undefined, now: number): number | undefined {
  if (headers === undefined) return undefined;
  const waits: number[] = [];
  const retryAfterMs = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(retryAfterMs)) waits.push(retryAfterMs);
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const seconds = Number.parseFloat(retryAfter);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(seconds)) waits.push(seconds * 1000);
    else if (Number.isFinite(at)) waits.push(at - now);
  }
  for (const limit of LIMITS) {
    if (headers.get(`anthropic-ratelimit-${limit}-remaining`) !== "0") continue;
    const reset = Date.parse(headers.get(`anthropic-ratelimit-${limit}-reset`) ?? "");
    if (Number.isFinite(reset)) waits.push(reset - now);
  }
  return waits.length === 0 ? undefined : Math.max(0, Math.ceil(Math.max(...waits)));
}
