/**
 * JSON shapes of the Git Data API: `git-ref`, `short-blob`, `git-tree`,
 * `git-commit`, and the REST `commit` / `branch-with-protection`.
 */
import type { TreeEntry } from "./git_objects.ts";
import type { StoredRepo } from "./state.ts";
import { nodeId } from "./wire_repo.ts";

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

/** A `git-tree` object listing the tree's own entries. */
export function gitTree(base: string, repo: StoredRepo, sha: string) {
  const api = repoApi(base, repo);
  const entries: TreeEntry[] = repo.store.tree(sha) ?? [];
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map((entry) => ({
      path: entry.name,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.type === "blob"
        ? { size: repo.store.blob(entry.sha)?.byteLength ?? 0, url: `${api}/git/blobs/${entry.sha}` }
        : entry.type === "tree"
        ? { url: `${api}/git/trees/${entry.sha}` }
        : {}),
    })),
    truncated: false,
  };
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
