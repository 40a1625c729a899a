/**
 * {@link GitHubGateway} over the GitHub REST API with `@octokit/rest`. Works
 * against api.github.com, GitHub Enterprise Server (`…/api/v3`) and the test
 * stand-in alike: only `baseUrl` changes.
 */
import { Buffer } from "node:buffer";
import { STATUS_CODES } from "node:http";
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { ConfigError, GitHubError } from "../errors.ts";
import type {
  BaseCommit,
  GitHubGateway,
  Issue,
  PullRequest,
  PullRequestInput,
  PushInput,
  RepoRef,
} from "./gateway.ts";

/** Options for {@link createOctokitGateway}. */
export interface OctokitGatewayOptions {
  /** Installation or personal access token. Never appears in an error message. */
  token: string;
  /** REST API root, e.g. `https://api.github.com` (the `GITHUB_API_URL` setting). */
  baseUrl: string;
  /** Prefix of the `User-Agent` header; default `backend-agent`. */
  userAgent?: string;
  /** Retries of a request that failed with a 5xx or a network error. Default 3. */
  retries?: number;
  /** Base of the retry back-off (waits base × n² before retry n), ms. Default 1000. */
  retryBaseMs?: number;
}

/** What failed Octokit calls carry (`RequestError`), read defensively. */
interface FailedRequest {
  status?: unknown;
  response?: { data?: unknown };
}

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

/** `Cannot <what>: GitHub answered 404 Not Found (…)` with the token scrubbed, chaining `error` as cause. */
function toGitHubError(what: string, error: unknown, token: string): GitHubError {
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
  // The token, and any URL query (codeload archive links carry a one-time token there), are left out.
  const message = `Cannot ${what}: ${reason}`.replaceAll(token, "[REDACTED]")
    .replace(/(https?:\/\/[^\s?)]+)\?[^\s)]*/g, "$1?[REDACTED]");
  return new GitHubError(message, { cause: error });
}

/** A 422 from GitHub whose message (or one of its `errors`) matches `pattern`. */
function isValidationFailure(error: unknown, pattern: RegExp): boolean {
  const failed = error as FailedRequest | undefined;
  return failed?.status === 422 && pattern.test(githubMessage(failed.response?.data) ?? "");
}

function validated(options: OctokitGatewayOptions): { token: string; baseUrl: string; userAgent: string } {
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
    userAgent: options.userAgent ?? "backend-agent",
  };
}

/** The bytes as text when they are valid UTF-8 without NUL, else undefined. */
function utf8(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Octokit with GitHub's recommended retry (5xx, network) and rate-limit throttling plugins. */
const RetryingOctokit = Octokit.plugin(retry, throttling);

/**
 * Creates the Octokit-backed gateway. Validates the options when called.
 *
 * Every failure is a {@link GitHubError} whose message names the operation and
 * GitHub's status (e.g. `Cannot read issue #12 of acme/tasks: GitHub answered
 * 404 Not Found`), never the token; the Octokit error (its authorization header
 * already redacted by Octokit) is the `cause`.
 *
 * @throws ConfigError when the token is empty or `baseUrl` is not an http(s) URL.
 * Needs `--allow-net` to the API host (and to codeload for tarballs).
 */
export function createOctokitGateway(options: OctokitGatewayOptions): GitHubGateway {
  const config = validated(options);
  const quiet = () => {};
  const octokit = new RetryingOctokit({
    auth: config.token,
    baseUrl: config.baseUrl,
    userAgent: config.userAgent,
    // Failures become GitHubErrors; Octokit's own per-request error lines would only duplicate them.
    log: { debug: quiet, info: quiet, warn: console.warn, error: quiet },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    throttle: {
      // Primary and secondary rate limits: wait as GitHub asks, at most twice per request.
      onRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 2,
      onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < 2,
    },
  });

  async function attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toGitHubError(what, error, config.token);
    }
  }

  const name = (repo: RepoRef) => `${repo.owner}/${repo.name}`;
  const toIssue = (
    data: { number: number; title: string; body?: string | null; html_url: string },
  ): Issue => ({
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    url: data.html_url,
  });

  async function getIssue(repo: RepoRef, number: number): Promise<Issue> {
    const what = `read issue #${number} of ${name(repo)}`;
    const { data } = await attempt(
      what,
      () => octokit.rest.issues.get({ owner: repo.owner, repo: repo.name, issue_number: number }),
    );
    if (data.pull_request) {
      throw new GitHubError(`Cannot ${what}: #${number} is a pull request, not an issue`);
    }
    return toIssue(data);
  }

  async function listSubIssues(repo: RepoRef, number: number): Promise<Issue[]> {
    const items = await attempt(
      `list the sub-issues of #${number} in ${name(repo)}`,
      () =>
        octokit.paginate(octokit.rest.issues.listSubIssues, {
          owner: repo.owner,
          repo: repo.name,
          issue_number: number,
          per_page: 100,
        }),
    );
    return items.map(toIssue);
  }

  async function resolveBase(repo: RepoRef, branch?: string): Promise<BaseCommit> {
    const target = branch ?? (await attempt(
      `read repository ${name(repo)}`,
      () => octokit.rest.repos.get({ owner: repo.owner, repo: repo.name }),
    )).data.default_branch;
    const what = `resolve branch "${target}" of ${name(repo)}`;
    const { data } = await attempt(
      what,
      () => octokit.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `heads/${target}` }),
    );
    if (data.object.type !== "commit") {
      throw new GitHubError(`Cannot ${what}: it points to a ${data.object.type}, not a commit`);
    }
    return { branch: target, sha: data.object.sha };
  }

  async function downloadTarball(repo: RepoRef, sha: string): Promise<ReadableStream<Uint8Array>> {
    const what = `download the tarball of ${name(repo)} at ${sha}`;
    const response = await attempt(what, () =>
      octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        owner: repo.owner,
        repo: repo.name,
        ref: sha,
        request: { parseSuccessResponseBody: false },
      }));
    const body: unknown = response.data;
    if (!(body instanceof ReadableStream)) throw new GitHubError(`Cannot ${what}: the response has no body`);
    return body as ReadableStream<Uint8Array>;
  }

  async function pushBranch(repo: RepoRef, input: PushInput): Promise<{ commitSha: string }> {
    const where = { owner: repo.owner, repo: repo.name };
    const base = await attempt(
      `read commit ${input.baseSha} of ${name(repo)}`,
      () => octokit.rest.git.getCommit({ ...where, commit_sha: input.baseSha }),
    );
    type Entry = {
      path: string;
      mode: "100644" | "100755";
      type: "blob";
      sha?: string | null;
      content?: string;
    };
    const tree: Entry[] = [];
    for (const file of input.files) {
      const mode = file.mode ?? "100644";
      if (file.content === undefined) {
        tree.push({ path: file.path, mode, type: "blob", sha: null });
        continue;
      }
      // UTF-8 text goes inline in the tree; only binary files need a blob of their own. Every write
      // counts against GitHub's secondary rate limit (the throttling plugin spaces them 1 s apart).
      const text = utf8(file.content);
      if (text !== undefined) {
        tree.push({ path: file.path, mode, type: "blob", content: text });
        continue;
      }
      const content = Buffer.from(file.content).toString("base64");
      const blob = await attempt(
        `upload ${file.path} to ${name(repo)}`,
        () => octokit.rest.git.createBlob({ ...where, content, encoding: "base64" }),
      );
      tree.push({ path: file.path, mode, type: "blob", sha: blob.data.sha });
    }
    const newTree = await attempt(
      `create a tree in ${name(repo)}`,
      () => octokit.rest.git.createTree({ ...where, base_tree: base.data.tree.sha, tree }),
    );
    const commit = await attempt(
      `create a commit in ${name(repo)}`,
      () =>
        octokit.rest.git.createCommit({
          ...where,
          message: input.message,
          tree: newTree.data.sha,
          parents: [input.baseSha],
        }),
    );
    const sha = commit.data.sha;
    const what = `point branch "${input.branch}" of ${name(repo)} at ${sha}`;
    try {
      await octokit.rest.git.createRef({ ...where, ref: `refs/heads/${input.branch}`, sha });
    } catch (error) {
      if (!isValidationFailure(error, /already exists/i)) throw toGitHubError(what, error, config.token);
      await attempt(
        what,
        () => octokit.rest.git.updateRef({ ...where, ref: `heads/${input.branch}`, sha, force: true }),
      );
    }
    return { commitSha: sha };
  }

  async function openPullRequest(repo: RepoRef, input: PullRequestInput): Promise<PullRequest> {
    const where = { owner: repo.owner, repo: repo.name };
    const what = `open a pull request from "${input.head}" in ${name(repo)}`;
    try {
      const { data } = await octokit.rest.pulls.create({ ...where, ...input });
      return { number: data.number, url: data.html_url };
    } catch (error) {
      if (input.draft && isValidationFailure(error, /draft pull requests are not supported/i)) {
        // GitHub Free private repos have no drafts: open a ready one instead of failing the job.
        return openPullRequest(repo, { ...input, draft: false });
      }
      if (!isValidationFailure(error, /already exists/i)) throw toGitHubError(what, error, config.token);
    }
    const existing = await attempt(
      what,
      () =>
        octokit.rest.pulls.list({
          ...where,
          head: `${repo.owner}:${input.head}`,
          base: input.base,
          state: "open",
        }),
    );
    const pull = existing.data[0];
    if (!pull) throw new GitHubError(`Cannot ${what}: GitHub says one exists but lists none`);
    const { data } = await attempt(
      `update pull request #${pull.number} of ${name(repo)}`,
      () =>
        octokit.rest.pulls.update({
          ...where,
          pull_number: pull.number,
          title: input.title,
          body: input.body,
        }),
    );
    return { number: data.number, url: data.html_url };
  }

  return { getIssue, listSubIssues, resolveBase, downloadTarball, pushBranch, openPullRequest };
}
