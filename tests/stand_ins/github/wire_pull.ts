/** The `pull-request` and `pull-request-simple` JSON shapes. */
import type { StoredPull, StoredRepo, TokenUser } from "./state.ts";
import { flattenTree } from "./tree_paths.ts";
import { nodeId, repoOwner, repository, simpleUser } from "./wire_repo.ts";

function headSha(repo: StoredRepo, branch: string): string {
  return repo.refs.get(`refs/heads/${branch}`) ?? "0".repeat(40);
}

function branchSide(base: string, repo: StoredRepo, branch: string) {
  return {
    label: `${repo.owner}:${branch}`,
    ref: branch,
    sha: headSha(repo, branch),
    user: repoOwner(base, repo),
    repo: repository(base, repo),
  };
}

/** A `pull-request-simple` object (what `GET /pulls` lists). */
export function pullSimple(base: string, repo: StoredRepo, pull: StoredPull, author: TokenUser) {
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/pulls/${pull.number}`;
  const html = `${base}/${repo.owner}/${repo.name}/pull/${pull.number}`;
  const issueUrl = `${api}/issues/${pull.number}`;
  const statusesUrl = `${api}/statuses/${headSha(repo, pull.head)}`;
  const link = (href: string) => ({ href });
  return {
    url,
    id: pull.id,
    node_id: nodeId("PR", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: statusesUrl,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(base, author.login, { id: author.id, type: author.type }),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.state === "closed" ? pull.updatedAt : null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchSide(base, repo, pull.head),
    base: branchSide(base, repo, pull.base),
    _links: {
      self: link(url),
      html: link(html),
      issue: link(issueUrl),
      comments: link(`${issueUrl}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(statusesUrl),
    },
    author_association: "CONTRIBUTOR",
    auto_merge: null,
    draft: pull.draft,
  };
}

/** Changed files and line counts between the base and head branch tips. */
function diffStats(repo: StoredRepo, pull: StoredPull) {
  const tree = (branch: string) => {
    const commit = repo.store.commit(headSha(repo, branch));
    return commit ? flattenTree(repo.store, commit.tree) : new Map();
  };
  const before = tree(pull.base);
  const after = tree(pull.head);
  const lines = (sha: string | undefined) =>
    sha ? new TextDecoder().decode(repo.store.blob(sha) ?? new Uint8Array()).split("\n") : [];
  let changed = 0, additions = 0, deletions = 0;
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(path)?.sha, now = after.get(path)?.sha;
    if (old === now) continue;
    changed++;
    const removed = lines(old);
    const counts = new Map<string, number>();
    for (const line of removed) counts.set(line, (counts.get(line) ?? 0) + 1);
    for (const line of lines(now)) {
      const left = counts.get(line) ?? 0;
      if (left > 0) counts.set(line, left - 1);
      else additions++;
    }
    for (const left of counts.values()) deletions += left;
  }
  return { changed_files: changed, additions, deletions };
}

/** A `pull-request` object (what create, get and update return). */
export function pullFull(base: string, repo: StoredRepo, pull: StoredPull, author: TokenUser) {
  const commits = repo.store.commitsBetween(headSha(repo, pull.base), headSha(repo, pull.head));
  return {
    ...pullSimple(base, repo, pull, author),
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: pull.draft ? "draft" : "unknown",
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits,
    ...diffStats(repo, pull),
  };
}
