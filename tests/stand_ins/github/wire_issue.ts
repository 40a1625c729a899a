/** The `issue` JSON shape, with every field the OpenAPI description requires. */
import type { StandInState, StoredIssue, StoredRepo } from "./state.ts";
import { labelJson } from "./wire_label.ts";
import { nodeId, repoOwner } from "./wire_repo.ts";

/**
 * An `issue` object. `repository_url` is the issue's own repository (a sub-issue may live in
 * another one than its parent); `parent_issue_url` is set, as GitHub does, when some issue lists
 * it as a sub-issue; `sub_issues_summary` counts its sub-issues wherever they live.
 */
export function issueJson(state: StandInState, repo: StoredRepo, issue: StoredIssue) {
  const base = state.baseUrl;
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/issues/${issue.number}`;
  const children = issue.subIssues.flatMap((ref) => state.issue(ref)?.issue ?? []);
  const completed = children.filter((child) => child.state === "closed").length;
  const parent = state.parentOf(repo, issue.number);
  const closed = issue.state === "closed";
  return {
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${base}/${repo.owner}/${repo.name}/issues/${issue.number}`,
    id: issue.id,
    node_id: nodeId("I", issue.id),
    number: issue.number,
    title: issue.title,
    user: repoOwner(base, repo),
    labels: issue.labels.map((name) => labelJson(base, repo, name)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: issue.createdAt,
    updated_at: issue.createdAt,
    closed_at: closed ? issue.createdAt : null,
    author_association: "OWNER",
    type: null,
    active_lock_reason: null,
    sub_issues_summary: {
      total: children.length,
      completed,
      percent_completed: children.length === 0 ? 0 : Math.floor((completed * 100) / children.length),
    },
    ...(parent
      ? {
        parent_issue_url:
          `${base}/repos/${parent.repo.owner}/${parent.repo.name}/issues/${parent.issue.number}`,
      }
      : {}),
    body: issue.body,
    closed_by: closed ? repoOwner(base, repo) : null,
    reactions: {
      url: `${url}/reactions`,
      total_count: 0,
      "+1": 0,
      "-1": 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: closed ? "completed" : null,
  };
}
