/** The `pull-request` and `pull-request-simple` JSON shapes. */
import type { StoredPull, StoredRepo } from "./state.ts";
import { treeDiff } from "./tree_diff.ts";
import { labelJson } from "./wire_label.ts";
import { nodeId, repoOwner, repository, simpleUser } from "./wire_repo.ts";

function headSha(repo: StoredRepo, branch: string): string {
  return repo.refs.get(`refs/heads/${branch}`) ?? "0".repeat(40);
}

/** One side of a pull request: `branch` of `repo` (the head's repository may be a fork). */
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
export function pullSimple(base: string, repo: StoredRepo, pull: StoredPull) {
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/pulls/${pull.number}`;
  const html = `${base}/${repo.owner}/${repo.name}/pull/${pull.number}`;
  const issueUrl = `${api}/issues/${pull.number}`;
  const statusesUrl = `${api}/statuses/${headSha(pull.headRepo, pull.head)}`;
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
    user: simpleUser(base, pull.author.login, { id: pull.author.id, type: pull.author.type }),
    body: pull.body,
    labels: pull.labels.map((name) => labelJson(base, repo, name)),
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
    head: branchSide(base, pull.headRepo, pull.head),
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
  const tree = (side: StoredRepo, branch: string) => repo.store.commit(headSha(side, branch))?.tree;
  const head = tree(pull.headRepo, pull.head);
  const changes = head ? treeDiff(repo.store, tree(repo, pull.base), head) : [];
  return {
    changed_files: changes.length,
    additions: changes.reduce((sum, change) => sum + change.additions, 0),
    deletions: changes.reduce((sum, change) => sum + change.deletions, 0),
  };
}

/** A `pull-request` object (what create, get and update return). */
export function pullFull(base: string, repo: StoredRepo, pull: StoredPull) {
  const commits = repo.store.commitsBetween(headSha(repo, pull.base), headSha(pull.headRepo, pull.head));
  return {
    ...pullSimple(base, repo, pull),
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
