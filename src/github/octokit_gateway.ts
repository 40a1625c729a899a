/**
 * {@link GitHubGateway} over the GitHub REST API with `@octokit/rest`. Works
 * against api.github.com, GitHub Enterprise Server (`…/api/v3`) and the test
 * stand-in alike: only `baseUrl` changes.
 */
import { Buffer } from "node:buffer";
import { GitHubError } from "../errors.ts";
import type {
  BaseCommit,
  BranchHead,
  GitHubGateway,
  Issue,
  OpenPullRequest,
  PullRequest,
  PullRequestInput,
  PullRequestUpdate,
  PushInput,
  RepoRef,
  TreeEntry,
} from "./gateway.ts";
import { type Client, createOctokitClient, type OctokitGatewayOptions } from "./octokit_client.ts";
import { isNotFound, isValidationFailure, toGitHubError } from "./octokit_errors.ts";
import { newTreeEntries, toTreeEntry } from "./tree_entries.ts";

export type { OctokitGatewayOptions };

/** What GitHub's issue objects carry that {@link Issue} needs. */
interface IssueData {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state: string;
  repository_url: string;
}

/** `…/repos/OWNER/NAME` (an issue's `repository_url`, also on GitHub Enterprise Server) → its repo. */
function repoOfUrl(url: string): RepoRef | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(url);
  return match ? { owner: decodeURIComponent(match[1]!), name: decodeURIComponent(match[2]!) } : undefined;
}

/** GitHub's cap on one recursive tree listing (Git Trees API documentation). */
const TREE_CAP = "100,000 entries or 7 MB";

/** The gateway; one short method per operation, every failure a {@link GitHubError}. */
class OctokitGateway implements GitHubGateway {
  readonly #octokit: Client;
  readonly #token: string;

  constructor(octokit: Client, token: string) {
    this.#octokit = octokit;
    this.#token = token;
  }

  async #attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toGitHubError(what, error, this.#token);
    }
  }

  #where(repo: RepoRef) {
    return { owner: repo.owner, repo: repo.name };
  }

  #issue(data: IssueData, queried: RepoRef): Issue {
    return {
      number: data.number,
      title: data.title,
      body: data.body ?? "",
      url: data.html_url,
      state: data.state === "closed" ? "closed" : "open",
      repo: repoOfUrl(data.repository_url) ?? queried,
    };
  }

  async getIssue(repo: RepoRef, number: number): Promise<Issue> {
    const what = `read issue #${number} of ${name(repo)}`;
    const { data } = await this.#attempt(
      what,
      () => this.#octokit.rest.issues.get({ ...this.#where(repo), issue_number: number }),
    );
    if (data.pull_request) {
      throw new GitHubError(`Cannot ${what}: #${number} is a pull request, not an issue`);
    }
    return this.#issue(data, repo);
  }

  async listSubIssues(repo: RepoRef, number: number): Promise<Issue[]> {
    const items = await this.#attempt(
      `list the sub-issues of #${number} in ${name(repo)}`,
      () =>
        this.#octokit.paginate(this.#octokit.rest.issues.listSubIssues, {
          ...this.#where(repo),
          issue_number: number,
          per_page: 100,
        }),
    );
    return items.map((item) => this.#issue(item, repo));
  }

  async resolveBase(repo: RepoRef, branch?: string): Promise<BaseCommit> {
    const { data: repository } = await this.#attempt(
      `read repository ${name(repo)}`,
      () => this.#octokit.rest.repos.get(this.#where(repo)),
    );
    const target = branch ?? repository.default_branch;
    const what = `resolve branch "${target}" of ${name(repo)}`;
    const sha = await this.#attempt(what, () => this.#refCommit(repo, target, what));
    const { data: commit } = await this.#attempt(
      what,
      () => this.#octokit.rest.git.getCommit({ ...this.#where(repo), commit_sha: sha }),
    );
    return { branch: target, sha, treeSha: commit.tree.sha, defaultBranch: repository.default_branch };
  }

  /** The commit `refs/heads/<branch>` points at (exact name, no prefix matching). */
  async #refCommit(repo: RepoRef, branch: string, what: string): Promise<string> {
    const { data } = await this.#octokit.rest.git.getRef({ ...this.#where(repo), ref: `heads/${branch}` });
    if (data.object.type !== "commit") {
      throw new GitHubError(`Cannot ${what}: it points to a ${data.object.type}, not a commit`);
    }
    return data.object.sha;
  }

  async getTree(repo: RepoRef, treeSha: string): Promise<TreeEntry[]> {
    const what = `read tree ${treeSha} of ${name(repo)}`;
    const { data } = await this.#attempt(
      what,
      () => this.#octokit.rest.git.getTree({ ...this.#where(repo), tree_sha: treeSha, recursive: "1" }),
    );
    if (data.truncated) {
      throw new GitHubError(
        `Cannot ${what}: the tree of ${name(repo)} has more entries than GitHub lists in one call ` +
          `(${TREE_CAP}), so the service cannot read it whole`,
      );
    }
    return data.tree.map((entry) => toTreeEntry(entry, what));
  }

  async getBlob(repo: RepoRef, sha: string): Promise<Uint8Array> {
    const what = `read blob ${sha} of ${name(repo)}`;
    const { data } = await this.#attempt(
      what,
      () => this.#octokit.rest.git.getBlob({ ...this.#where(repo), file_sha: sha }),
    );
    const bytes = data.encoding === "base64"
      ? new Uint8Array(Buffer.from(data.content, "base64"))
      : data.encoding === "utf-8"
      ? new TextEncoder().encode(data.content)
      : undefined;
    if (!bytes) throw new GitHubError(`Cannot ${what}: unknown encoding "${data.encoding}"`);
    if (typeof data.size === "number" && bytes.byteLength !== data.size) {
      throw new GitHubError(`Cannot ${what}: GitHub sent ${bytes.byteLength} bytes of ${data.size}`);
    }
    return bytes;
  }

  async downloadTarball(repo: RepoRef, sha: string): Promise<ReadableStream<Uint8Array>> {
    const what = `download the tarball of ${name(repo)} at ${sha}`;
    const response = await this.#attempt(
      what,
      () =>
        this.#octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
          ...this.#where(repo),
          ref: sha,
          request: { parseSuccessResponseBody: false },
        }),
    );
    const body: unknown = response.data;
    if (!(body instanceof ReadableStream)) throw new GitHubError(`Cannot ${what}: the response has no body`);
    return body as ReadableStream<Uint8Array>;
  }

  async getBranchHead(repo: RepoRef, branch: string): Promise<BranchHead | undefined> {
    const what = `read branch "${branch}" of ${name(repo)}`;
    let sha: string;
    try {
      sha = await this.#refCommit(repo, branch, what);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toGitHubError(what, error, this.#token);
    }
    // `per_page: 1`: only the message and author are needed, not the commit's list of changed files.
    const { data } = await this.#attempt(
      `read commit ${sha} of ${name(repo)}`,
      () => this.#octokit.rest.repos.getCommit({ ...this.#where(repo), ref: sha, per_page: 1 }),
    );
    const login = data.author && "login" in data.author ? data.author.login : undefined;
    return {
      sha,
      message: data.commit.message,
      authorName: data.commit.author?.name ?? "",
      ...(login ? { authorLogin: login } : {}),
    };
  }

  async pushBranch(repo: RepoRef, input: PushInput): Promise<{ commitSha: string }> {
    const where = this.#where(repo);
    const base = await this.#attempt(
      `read commit ${input.baseSha} of ${name(repo)}`,
      () => this.#octokit.rest.git.getCommit({ ...where, commit_sha: input.baseSha }),
    );
    // Every write counts against GitHub's secondary rate limit (the throttling plugin spaces them
    // 1 s apart), so text goes inline in the tree and only binary files get a blob of their own.
    const tree = await newTreeEntries(input.files, async (path, content) =>
      (await this.#attempt(
        `upload ${path} to ${name(repo)}`,
        () => this.#octokit.rest.git.createBlob({ ...where, content, encoding: "base64" }),
      )).data.sha);
    const newTree = await this.#attempt(
      `create a tree in ${name(repo)}`,
      () => this.#octokit.rest.git.createTree({ ...where, base_tree: base.data.tree.sha, tree }),
    );
    const commit = await this.#attempt(
      `create a commit in ${name(repo)}`,
      () =>
        this.#octokit.rest.git.createCommit({
          ...where,
          message: input.message,
          tree: newTree.data.sha,
          parents: [input.baseSha],
        }),
    );
    const sha = commit.data.sha;
    if (input.expectedHeadSha === undefined) await this.#createBranch(repo, input.branch, sha);
    else await this.#moveBranch(repo, input.branch, input.expectedHeadSha, sha);
    return { commitSha: sha };
  }

  /** Creates `refs/heads/<branch>`; never overwrites a branch someone created meanwhile. */
  async #createBranch(repo: RepoRef, branch: string, sha: string): Promise<void> {
    const what = `create branch "${branch}" of ${name(repo)} at ${sha}`;
    try {
      await this.#octokit.rest.git.createRef({ ...this.#where(repo), ref: `refs/heads/${branch}`, sha });
    } catch (error) {
      if (!isValidationFailure(error, /reference already exists/i)) {
        throw toGitHubError(what, error, this.#token);
      }
      throw new GitHubError(
        `Cannot ${what}: branch "${branch}" was created by someone else meanwhile; it was left as it is`,
        { cause: error },
      );
    }
  }

  /** Moves `refs/heads/<branch>` to `sha`, only while it still points at `expected`. */
  async #moveBranch(repo: RepoRef, branch: string, expected: string, sha: string): Promise<void> {
    const what = `move branch "${branch}" of ${name(repo)} to ${sha}`;
    let current: string;
    try {
      current = await this.#refCommit(repo, branch, what);
    } catch (error) {
      if (!isNotFound(error)) throw toGitHubError(what, error, this.#token);
      throw new GitHubError(`Cannot ${what}: branch ${branch} was deleted meanwhile; it was not re-created`, {
        cause: error,
      });
    }
    if (current !== expected) {
      throw new GitHubError(
        `Cannot ${what}: branch ${branch} moved from ${expected} to ${current} meanwhile; ` +
          "it was left as it is",
      );
    }
    // The new commit's parent is the base, not the old head: the branch is rebuilt, hence `force`.
    await this.#attempt(
      what,
      () =>
        this.#octokit.rest.git.updateRef({ ...this.#where(repo), ref: `heads/${branch}`, sha, force: true }),
    );
  }

  async listOpenPullRequests(repo: RepoRef, branch: string): Promise<OpenPullRequest[]> {
    const pulls = await this.#attempt(
      `list the open pull requests from "${branch}" in ${name(repo)}`,
      () =>
        this.#octokit.paginate(this.#octokit.rest.pulls.list, {
          ...this.#where(repo),
          head: `${repo.owner}:${branch}`,
          state: "open",
          per_page: 100,
        }),
    );
    return pulls.map((pull) => ({
      number: pull.number,
      url: pull.html_url,
      title: pull.title,
      body: pull.body ?? "",
      base: pull.base.ref,
      author: pull.user?.login ?? "",
      labels: pull.labels.map((label) => label.name),
    }));
  }

  async openPullRequest(repo: RepoRef, input: PullRequestInput): Promise<PullRequest> {
    try {
      const { data } = await this.#octokit.rest.pulls.create({ ...this.#where(repo), ...input });
      return { number: data.number, url: data.html_url };
    } catch (error) {
      if (input.draft && isValidationFailure(error, /draft pull requests are not supported/i)) {
        // GitHub Free private repos have no drafts: open a ready one instead of failing the job.
        return this.openPullRequest(repo, { ...input, draft: false });
      }
      throw toGitHubError(`open a pull request from "${input.head}" in ${name(repo)}`, error, this.#token);
    }
  }

  async updatePullRequest(repo: RepoRef, number: number, update: PullRequestUpdate): Promise<PullRequest> {
    const { data } = await this.#attempt(
      `update pull request #${number} of ${name(repo)}`,
      () =>
        this.#octokit.rest.pulls.update({
          ...this.#where(repo),
          pull_number: number,
          title: update.title,
          body: update.body,
        }),
    );
    return { number: data.number, url: data.html_url };
  }

  async addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.#attempt(
      `label #${number} of ${name(repo)} with ${labels.join(", ")}`,
      () => this.#octokit.rest.issues.addLabels({ ...this.#where(repo), issue_number: number, labels }),
    );
  }
}

function name(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}

/**
 * Creates the Octokit-backed gateway (see {@link createOctokitClient} for the client's retries and
 * throttling). Validates the options when called.
 *
 * Every failure is a {@link GitHubError} whose message names the operation and
 * GitHub's status (e.g. `Cannot read issue #12 of acme/tasks: GitHub answered
 * 404 Not Found`), never the token; the Octokit error (its authorization header
 * already redacted by Octokit) is the `cause`.
 *
 * Permissions: contents (read, write to push), issues (read, write to label), pull requests
 * (read, write to open and update).
 *
 * @throws ConfigError when the token is empty or `baseUrl` is not an http(s) URL.
 * Needs `--allow-net` to the API host (and to codeload for tarballs).
 */
export function createOctokitGateway(options: OctokitGatewayOptions): GitHubGateway {
  const { octokit, token } = createOctokitClient(options);
  return new OctokitGateway(octokit, token);
}
