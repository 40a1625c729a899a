/**
 * JSON shapes of the Git Data API: `git-ref`, `short-blob`, `blob`, `git-tree`,
 * `git-commit`, and the REST `commit` / `branch-with-protection`.
 */
import { Buffer } from "node:buffer";
import type { Signature, TreeEntry } from "./git_objects.ts";
import type { StandInState, StoredRepo } from "./state.ts";
import { treeDiff } from "./tree_diff.ts";
import { nodeId, simpleUser } from "./wire_repo.ts";

function repoApi(base: string, repo: StoredRepo): string {
  return `${base}/repos/${repo.owner}/${repo.name}`;
}

/** A `git-ref` object for `ref` (e.g. `refs/heads/main`). */
export function gitRef(base: string, repo: StoredRepo, ref: string, sha: string) {
  const api = repoApi(base, repo);
  return {
    ref,
    node_id: nodeId("REF", `${repo.id}:${ref}`),
    url: `${api}/git/${ref}`,
    object: { sha, type: "commit", url: `${api}/git/commits/${sha}` },
  };
}

/** A `short-blob` object. */
export function shortBlob(base: string, repo: StoredRepo, sha: string) {
  return { sha, url: `${repoApi(base, repo)}/git/blobs/${sha}` };
}

/** A `blob` object: the bytes base64-encoded in lines of 60 characters, as GitHub sends them. */
export function blobJson(base: string, repo: StoredRepo, sha: string, bytes: Uint8Array) {
  const content = (Buffer.from(bytes).toString("base64").match(/.{1,60}/g) ?? []).join("\n");
  return {
    sha,
    node_id: nodeId("B", sha),
    size: bytes.byteLength,
    url: `${repoApi(base, repo)}/git/blobs/${sha}`,
    content: content === "" ? "" : `${content}\n`,
    encoding: "base64",
  };
}

/** Options of {@link gitTree}. */
export interface TreeListing {
  /** List subtrees' entries too (pre-order, full paths), as `?recursive=` does. */
  recursive?: boolean;
  /** Most entries listed; past it the listing stops and says `truncated`. */
  limit?: number;
}

/**
 * A `git-tree` object: the tree's own entries, or every entry below it. Blobs carry `size` and
 * `url`, trees `url`, gitlinks (submodule commits, type `commit`) neither.
 */
export function gitTree(base: string, repo: StoredRepo, sha: string, listing: TreeListing = {}) {
  const api = repoApi(base, repo);
  const limit = listing.limit ?? Infinity;
  const tree: Array<Record<string, unknown>> = [];
  let truncated = false;
  const walk = (treeSha: string, prefix: string) => {
    for (const entry of repo.store.tree(treeSha) ?? ([] as TreeEntry[])) {
      if (tree.length >= limit) {
        truncated = true;
        return;
      }
      tree.push({
        path: `${prefix}${entry.name}`,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
        ...(entry.type === "blob"
          ? { size: repo.store.blob(entry.sha)?.byteLength ?? 0, url: `${api}/git/blobs/${entry.sha}` }
          : entry.type === "tree"
          ? { url: `${api}/git/trees/${entry.sha}` }
          : {}),
      });
      if (listing.recursive && entry.type === "tree") walk(entry.sha, `${prefix}${entry.name}/`);
    }
  };
  walk(sha, "");
  return { sha, url: `${api}/git/trees/${sha}`, tree, truncated };
}

const UNSIGNED = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** A `git-commit` object; undefined when `sha` is not a commit. */
export function gitCommit(base: string, repo: StoredRepo, sha: string) {
  const commit = repo.store.commit(sha);
  if (!commit) return undefined;
  const api = repoApi(base, repo);
  const html = `${base}/${repo.owner}/${repo.name}`;
  return {
    sha,
    node_id: nodeId("C", sha),
    url: `${api}/git/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((parent) => ({
      sha: parent,
      url: `${api}/git/commits/${parent}`,
      html_url: `${html}/commit/${parent}`,
    })),
    verification: UNSIGNED,
  };
}

/** A `branch-with-protection` object for an unprotected branch. */
export function branchWithProtection(base: string, repo: StoredRepo, branch: string, sha: string) {
  const api = repoApi(base, repo);
  const html = `${base}/${repo.owner}/${repo.name}`;
  const commit = repo.store.commit(sha);
  return {
    name: branch,
    commit: {
      sha,
      node_id: nodeId("C", sha),
      commit: {
        author: commit?.author ?? null,
        committer: commit?.committer ?? null,
        message: commit?.message ?? "",
        tree: { sha: commit?.tree ?? "", url: `${api}/git/trees/${commit?.tree ?? ""}` },
        url: `${api}/git/commits/${sha}`,
        comment_count: 0,
        verification: UNSIGNED,
      },
      url: `${api}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
      comments_url: `${api}/commits/${sha}/comments`,
      author: null,
      committer: null,
      parents: (commit?.parents ?? []).map((parent) => ({
        sha: parent,
        url: `${api}/commits/${parent}`,
        html_url: `${html}/commit/${parent}`,
      })),
    },
    _links: { self: `${api}/branches/${branch}`, html: `${html}/tree/${branch}` },
    protected: false,
    protection: {
      enabled: false,
      required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
    },
    protection_url: `${api}/branches/${branch}/protection`,
  };
}

/** The account GitHub links a commit signature to (by email), as a `simple-user`, or null. */
function linkedUser(state: StandInState, who: Signature) {
  const account = state.accountByEmail(who.email);
  return account ? simpleUser(state.baseUrl, account.login, { id: account.id, type: account.type }) : null;
}

/** Most files one page of a REST commit lists when `per_page` is not given (GitHub: 300). */
const COMMIT_FILES_PAGE = 300;

/**
 * A REST `commit` object (`GET /commits/{ref}`): the git commit, the accounts its author and
 * committer emails belong to (or null), and its changes against its first parent, with the file
 * list paginated by `per_page`/`page`. Undefined when `sha` is not a commit.
 */
export function restCommit(state: StandInState, repo: StoredRepo, sha: string, query: URLSearchParams) {
  const commit = repo.store.commit(sha);
  if (!commit) return undefined;
  const base = state.baseUrl;
  const api = repoApi(base, repo);
  const html = `${base}/${repo.owner}/${repo.name}`;
  const parentTree = commit.parents[0] ? repo.store.commit(commit.parents[0])?.tree : undefined;
  const changes = treeDiff(repo.store, parentTree, commit.tree);
  const perPage = Math.min(
    COMMIT_FILES_PAGE,
    Math.max(1, Number(query.get("per_page")) || COMMIT_FILES_PAGE),
  );
  const page = Math.max(1, Number(query.get("page")) || 1);
  const additions = changes.reduce((sum, change) => sum + change.additions, 0);
  const deletions = changes.reduce((sum, change) => sum + change.deletions, 0);
  return {
    url: `${api}/commits/${sha}`,
    sha,
    node_id: nodeId("C", sha),
    html_url: `${html}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: UNSIGNED,
    },
    author: linkedUser(state, commit.author),
    committer: linkedUser(state, commit.committer),
    parents: commit.parents.map((parent) => ({
      sha: parent,
      url: `${api}/commits/${parent}`,
      html_url: `${html}/commit/${parent}`,
    })),
    stats: { additions, deletions, total: additions + deletions },
    files: changes.slice((page - 1) * perPage, page * perPage).map((change) => ({
      sha: change.sha,
      filename: change.path,
      status: change.status,
      additions: change.additions,
      deletions: change.deletions,
      changes: change.additions + change.deletions,
      blob_url: `${html}/blob/${sha}/${change.path}`,
      raw_url: `${html}/raw/${sha}/${change.path}`,
      contents_url: `${api}/contents/${change.path}?ref=${sha}`,
    })),
  };
}
