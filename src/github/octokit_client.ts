/**
 * The Octokit REST client the gateway uses: validated options, GitHub's
 * recommended retry (5xx, network) and rate-limit throttling plugins.
 */
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { ConfigError } from "../errors.ts";
import { mapRequestFailures } from "./octokit_errors.ts";
import type { RepoRef } from "./gateway.ts";
import { stopBackOffOn } from "./back_off_stop.ts";

/** Options for {@link createOctokitClient}, and so for the gateway built on it. */
export interface OctokitGatewayOptions {
  /** Installation or personal access token. Never appears in an error message. */
  token: string;
  /** REST API root, e.g. `https://api.github.com` (the `GITHUB_API_URL` setting). */
  baseUrl: string;
  /** Retries of a request that failed with a 5xx or a network error (`GITHUB_RETRIES`). */
  retries: number;
  /** Base of the retry back-off (waits base × n² before retry n), ms (`GITHUB_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /**
   * The fork branches are pushed to and pull requests opened from (`PR_HEAD_REPO`); undefined: each
   * pull request's own repository.
   */
  headRepo?: RepoRef;
  /**
   * The job's abort signal: once it aborts, back-off and rate-limit waits end at once and later
   * requests go out once, without retries (`back_off_stop.ts`). Absent: waits run their course.
   */
  signal?: AbortSignal;
}

/** The product's prefix of the `User-Agent` header (GitHub asks every client to name itself). */
const USER_AGENT = "backend-agent";

function validated(options: OctokitGatewayOptions): { token: string; baseUrl: string } {
  if (options.token.trim() === "") {
    throw new ConfigError("Cannot create the GitHub client: the token is empty");
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch (cause) {
    throw new ConfigError(`Cannot create the GitHub client: "${options.baseUrl}" is not a URL`, { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`Cannot create the GitHub client: "${options.baseUrl}" is not an http(s) URL`);
  }
  return {
    token: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
  };
}

/** Octokit with GitHub's recommended retry (5xx, network) and rate-limit throttling plugins. */
const RetryingOctokit = Octokit.plugin(retry, throttling);

/** The client type. */
export type Client = InstanceType<typeof RetryingOctokit>;

/**
 * Creates the client. Every failed request rejects with a `GitHubRequestFailure` (its request hook). Failures are logged only as warnings (callers turn them into errors); rate
 * limits are waited out as GitHub asks, at most twice per request, unless `signal` aborts.
 * @throws ConfigError when the token is empty or `baseUrl` is not an http(s) URL.
 */
export function createOctokitClient(options: OctokitGatewayOptions): { octokit: Client; token: string } {
  const config = validated(options);
  const quiet = () => {};
  const octokit = new RetryingOctokit({
    auth: config.token,
    baseUrl: config.baseUrl,
    userAgent: USER_AGENT,
    // Failures become GitHubErrors; Octokit's own per-request error lines would only duplicate them.
    log: { debug: quiet, info: quiet, warn: console.warn, error: quiet },
    retry: { retries: options.retries, retryAfterBaseValue: options.retryBaseMs },
    throttle: {
      // Primary and secondary rate limits: wait as GitHub asks, at most twice per request.
      onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 2 && !options.signal?.aborted,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 2 && !options.signal?.aborted,
    },
  });
  mapRequestFailures(octokit.hook, config.token);
  if (options.signal) stopBackOffOn(octokit, options.signal);
  return { octokit, token: config.token };
}
