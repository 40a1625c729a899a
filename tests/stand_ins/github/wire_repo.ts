/**
 * JSON shapes GitHub returns for users and repositories (`simple-user`,
 * `repository`, `full-repository`), with every field the OpenAPI description requires.
 */
import { Buffer } from "node:buffer";
import { networkRoot, type StoredRepo } from "./state.ts";

/** GitHub's opaque global node id; ours only needs to be stable and unique. */
export function nodeId(kind: string, id: number | string): string {
  return `${kind}_${Buffer.from(`${kind}:${id}`).toString("base64url")}`;
}

/** A `simple-user` object. */
export function simpleUser(base: string, login: string, options: { id: number; type: string }) {
  const api = `${base}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id: options.id,
    node_id: nodeId(options.type === "Organization" ? "O" : "U", options.id),
    avatar_url: `${base}/avatars/u/${options.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `${base}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: options.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** The owner of a repo, as an organization. */
export function repoOwner(base: string, repo: StoredRepo) {
  return simpleUser(base, repo.owner, { id: repo.id + 1_000_000, type: "Organization" });
}

/** A `repository` object (what pull requests embed). */
export function repository(base: string, repo: StoredRepo) {
  const fullName = `${repo.owner}/${repo.name}`;
  const api = `${base}/repos/${fullName}`;
  const host = new URL(base).host;
  const openIssues = [...repo.issues.values()].length +
    repo.pulls.filter((pull) => pull.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: fullName,
    private: true,
    owner: repoOwner(base, repo),
    html_url: `${base}/${fullName}`,
    description: null,
    fork: repo.parent !== undefined,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${base}/${fullName}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${base}/${fullName}`,
    homepage: null,
    language: "Python",
    forks_count: repo.forkCount,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "private",
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    permissions: { admin: false, maintain: false, push: !repo.readOnly, triage: true, pull: true },
    allow_forking: false,
    web_commit_signoff_required: false,
    license: null,
    forks: repo.forkCount,
    open_issues: openIssues,
    watchers: 0,
  };
}

/** A `full-repository` object (`GET /repos/{owner}/{repo}`); a fork's names its `parent` and `source`. */
export function fullRepository(base: string, repo: StoredRepo) {
  return {
    ...repository(base, repo),
    ...(repo.parent
      ? { parent: repository(base, repo.parent), source: repository(base, networkRoot(repo)) }
      : {}),
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_update_branch: false,
    use_squash_pr_title_as_default: false,
    squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
    squash_merge_commit_message: "COMMIT_MESSAGES",
    merge_commit_title: "MERGE_MESSAGE",
    merge_commit_message: "PR_TITLE",
    organization: repoOwner(base, repo),
    network_count: 0,
    subscribers_count: 0,
  };
}
