/**
 * Git data for the Octokit gateway: resolving branches, reading trees, blobs and
 * tarballs, and pushing a commit onto a branch.
 */
import { Buffer } from "node:buffer";
import { GitHubError } from "../errors.ts";
import type { BaseCommit, BranchHead, PushInput, RepoRef, TreeEntry } from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";
import { isNotFound, isValidationFailure } from "./octokit_errors.ts";
import { checkCommitFiles, newTreeEntries, toTreeEntry } from "./tree_entries.ts";

/** GitHub's cap on one recursive tree listing (Git Trees API documentation). */
const TREE_CAP = "100,000 entries or 7 MB";

export async function resolveBase(api: OctokitCalls, repo: RepoRef, branch?: string): Promise<BaseCommit> {
  const { data: repository } = await api.attempt(
    `read repository ${name(repo)}`,
    () => api.octokit.rest.repos.get(api.where(repo)),
  );
  const target = branch ?? repository.default_branch;
  const what = `resolve branch "${target}" of ${name(repo)}`;
  const sha = await api.attempt(what, () => refCommit(api, repo, target, what));
  const { data: commit } = await api.attempt(
    what,
    () => api.octokit.rest.git.getCommit({ ...api.where(repo), commit_sha: sha }),
  );
  return { branch: target, sha, treeSha: commit.tree.sha, defaultBranch: repository.default_branch };
}

/**
 * Checks that the token may push to `target` (GitHub's "Get a repository" reports `permissions.push`
 * for the caller; absent, nothing is concluded), and, when `target` is not `repo` (fork mode), that it
 * is a fork of `repo` (its `parent` or the `source` of its fork network), compared case-insensitively.
 * @throws GitHubError naming the repository, the setting and the fix when it is not so, or cannot be read.
 */
export async function verifyPushTarget(api: OctokitCalls, target: RepoRef, repo: RepoRef): Promise<void> {
  const fork = name(target) === name(repo) ? undefined : target;
  const { data } = await api.attempt(
    fork ? `read PR_HEAD_REPO ${name(target)}` : `read repository ${name(repo)}`,
    () => api.octokit.rest.repos.get(api.where(target)),
  );
  if (data.permissions && !data.permissions.push) {
    throw new GitHubError(
      `The GitHub credentials cannot push to ${name(target)}: the service pushes its branches there; give ` +
        `the GitHub App "Contents: read and write" on it (or the token push access)` +
        (fork ? `, or set PR_HEAD_REPO to a fork it can push to` : ""),
    );
  }
  if (!fork) return;
  const wanted = name(repo).toLowerCase();
  const parents = [data.parent?.full_name, data.source?.full_name].map((n) => n?.toLowerCase());
  if (!data.fork || !parents.includes(wanted)) {
    throw new GitHubError(
      `PR_HEAD_REPO ${name(fork)} is not a fork of ${
        name(repo)
      }: fork mode pushes branches to a fork of the ` +
        `job's repository; fork ${name(repo)} to that account, or set PR_HEAD_REPO to its fork`,
    );
  }
}

/** The commit `refs/heads/<branch>` points at (exact name, no prefix matching). */
async function refCommit(api: OctokitCalls, repo: RepoRef, branch: string, what: string): Promise<string> {
  const { data } = await api.octokit.rest.git.getRef({ ...api.where(repo), ref: `heads/${branch}` });
  if (data.object.type !== "commit") {
    throw new GitHubError(`Cannot ${what}: it points to a ${data.object.type}, not a commit`);
  }
  return data.object.sha;
}

export async function getTree(api: OctokitCalls, repo: RepoRef, treeSha: string): Promise<TreeEntry[]> {
  const what = `read tree ${treeSha} of ${name(repo)}`;
  const { data } = await api.attempt(
    what,
    () => api.octokit.rest.git.getTree({ ...api.where(repo), tree_sha: treeSha, recursive: "1" }),
  );
  if (data.truncated) {
    throw new GitHubError(
      `Cannot ${what}: the tree of ${name(repo)} has more entries than GitHub lists in one call ` +
        `(${TREE_CAP}), so the service cannot read it whole`,
    );
  }
  return data.tree.map((entry) => toTreeEntry(entry, what));
}

export async function getBlob(api: OctokitCalls, repo: RepoRef, sha: string): Promise<Uint8Array> {
  const what = `read blob ${sha} of ${name(repo)}`;
  const { data } = await api.attempt(
    what,
    () => api.octokit.rest.git.getBlob({ ...api.where(repo), file_sha: sha }),
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

export async function downloadTarball(
  api: OctokitCalls,
  repo: RepoRef,
  sha: string,
): Promise<ReadableStream<Uint8Array>> {
  const what = `download the tarball of ${name(repo)} at ${sha}`;
  const response = await api.attempt(
    what,
    () =>
      api.octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        ...api.where(repo),
        ref: sha,
        request: { parseSuccessResponseBody: false },
      }),
  );
  const body: unknown = response.data;
  if (!(body instanceof ReadableStream)) throw new GitHubError(`Cannot ${what}: the response has no body`);
  return body as ReadableStream<Uint8Array>;
}

export async function getBranchHead(
  api: OctokitCalls,
  repo: RepoRef,
  branch: string,
): Promise<BranchHead | undefined> {
  const what = `read branch "${branch}" of ${name(repo)}`;
  let sha: string;
  try {
    sha = await refCommit(api, repo, branch, what);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw api.fail(what, error);
  }
  // `per_page: 1`: only the message and author are needed, not the commit's list of changed files.
  const { data } = await api.attempt(
    `read commit ${sha} of ${name(repo)}`,
    () => api.octokit.rest.repos.getCommit({ ...api.where(repo), ref: sha, per_page: 1 }),
  );
  const login = data.author && "login" in data.author ? data.author.login : undefined;
  return {
    sha,
    message: data.commit.message,
    authorName: data.commit.author?.name ?? "",
    ...(login ? { authorLogin: login } : {}),
  };
}

export async function pushBranch(
  api: OctokitCalls,
  repo: RepoRef,
  input: PushInput,
): Promise<{ commitSha: string }> {
  const where = api.where(repo);
  checkCommitFiles(input.files, `commit to branch "${input.branch}" of ${name(repo)}`);
  const base = await api.attempt(
    `read commit ${input.baseSha} of ${name(repo)}`,
    () => api.octokit.rest.git.getCommit({ ...where, commit_sha: input.baseSha }),
  );
  // Every write counts against GitHub's secondary rate limit (the throttling plugin spaces them
  // 1 s apart), so text goes inline in the tree and only binary files get a blob of their own.
  const tree = await newTreeEntries(input.files, async (path, content) =>
    (await api.attempt(
      `upload ${path} to ${name(repo)}`,
      () => api.octokit.rest.git.createBlob({ ...where, content, encoding: "base64" }),
    )).data.sha);
  const newTree = await api.attempt(
    `create a tree in ${name(repo)}`,
    () => api.octokit.rest.git.createTree({ ...where, base_tree: base.data.tree.sha, tree }),
  );
  const commit = await api.attempt(
    `create a commit in ${name(repo)}`,
    () =>
      api.octokit.rest.git.createCommit({
        ...where,
        message: input.message,
        tree: newTree.data.sha,
        parents: [input.baseSha],
      }),
  );
  const sha = commit.data.sha;
  if (input.expectedHeadSha === undefined) await createBranch(api, repo, input.branch, sha);
  else await moveBranch(api, repo, input.branch, input.expectedHeadSha, sha, input.baseSha);
  return { commitSha: sha };
}

/** Creates `refs/heads/<branch>`; never overwrites a branch someone created meanwhile. */
async function createBranch(api: OctokitCalls, repo: RepoRef, branch: string, sha: string): Promise<void> {
  const what = `create branch "${branch}" of ${name(repo)} at ${sha}`;
  try {
    await api.octokit.rest.git.createRef({ ...api.where(repo), ref: `refs/heads/${branch}`, sha });
  } catch (error) {
    if (!isValidationFailure(error, /reference already exists/i)) {
      throw api.fail(what, error);
    }
    throw new GitHubError(
      `Cannot ${what}: branch "${branch}" was created by someone else meanwhile; it was left as it is`,
      { cause: error },
    );
  }
}

/** Moves `refs/heads/<branch>` to `sha`, only while it still points at `expected`. */
async function moveBranch(
  api: OctokitCalls,
  repo: RepoRef,
  branch: string,
  expected: string,
  sha: string,
  parent: string,
): Promise<void> {
  const what = `move branch "${branch}" of ${name(repo)} to ${sha}`;
  let current: string;
  try {
    current = await refCommit(api, repo, branch, what);
  } catch (error) {
    if (!isNotFound(error)) throw api.fail(what, error);
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
  // A commit on the old head (a follow-up) moves the branch fast-forward, never forced; one on the
  // base rebuilds the branch, hence `force` there.
  const force = parent !== expected;
  await api.attempt(
    what,
    () => api.octokit.rest.git.updateRef({ ...api.where(repo), ref: `heads/${branch}`, sha, force }),
  );
}
