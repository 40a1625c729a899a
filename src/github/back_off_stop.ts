/**
 * A job's abort signal cuts GitHub's back-off waits short. Octokit's retry plugin (5xx, network
 * errors: base × n² between attempts) and throttling plugin (rate limits: as long as GitHub asks,
 * which can be an hour) wait on timers no signal reaches; a shutdown would otherwise wait them out.
 *
 * - A request waiting to retry when the signal aborts fails at once with a {@link GitHubRequestFailure}.
 * - An attempt on the wire is left to finish (a write GitHub is doing is not cut in half); if it
 *   fails in a way that leads to a wait, the request fails at once instead.
 * - A retry whose timer fires later is never sent.
 * - A request made after the abort (a cancelled job's last progress-comment writes) is sent once,
 *   without retries.
 */
import { GitHubRequestFailure } from "./octokit_errors.ts";
import type { Client } from "./octokit_client.ts";

/** Whether a response may be followed by a retry or rate-limit wait (GitHub's rate-limit answers: 403 or 429). */
function mayWait(response: Response): boolean {
  return response.status >= 500 || response.status === 429 ||
    (response.status === 403 &&
      (response.headers.has("retry-after") || response.headers.get("x-ratelimit-remaining") === "0"));
}

/** Makes `signal` end `octokit`'s back-off waits (registered last, so it wraps the retry and throttling plugins). */
export function stopBackOffOn(octokit: Client, signal: AbortSignal): void {
  // The hooks inside share this `options` object (before-after-hook binds it once per request), so the
  // changes below are made on it rather than on a copy.
  octokit.hook.wrap("request", (request, options) => {
    if (signal.aborted) {
      options.request = { ...options.request, retries: 0 };
      return request(options);
    }
    const sent = options.request?.fetch ?? globalThis.fetch;
    return new Promise((resolve, reject) => {
      let waiting = false;
      let stopped = false;
      const stop = () => {
        if (!waiting || stopped) return;
        stopped = true;
        signal.removeEventListener("abort", stop);
        const reason = "the job is stopping, so GitHub's back-off was not waited out";
        reject(new GitHubRequestFailure(reason, undefined, undefined, undefined));
      };
      const attempt = async (input: RequestInfo | URL, init?: RequestInit) => {
        // A retry whose timer fires after the stop is not sent; Octokit does not retry an AbortError.
        if (stopped) throw new DOMException("the job stopped", "AbortError");
        waiting = false;
        try {
          const response = await sent(input, init);
          waiting = mayWait(response);
          return response;
        } catch (error) {
          waiting = true;
          throw error;
        } finally {
          if (signal.aborted) stop();
        }
      };
      signal.addEventListener("abort", stop, { once: true });
      options.request = { ...options.request, fetch: attempt };
      Promise.resolve(request(options))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener("abort", stop));
    });
  });
}
