/** The `issue` JSON shape, with every field the OpenAPI description requires. */
import type { StoredIssue, StoredRepo } from "./state.ts";
import { nodeId, repoOwner } from "./wire_repo.ts";

/** An `issue` object; `parentNumber` adds `parent_issue_url` as GitHub does for sub-issues. */
export function issueJson(base: string, repo: StoredRepo, issue: StoredIssue, parentNumber?: number) {
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  const url = `${api}/issues/${issue.number}`;
  const subIssues = issue.subIssues.filter((number) => repo.issues.has(number)).length;
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
    labels: [],
    state: "open",
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: issue.createdAt,
    updated_at: issue.createdAt,
    closed_at: null,
    author_association: "OWNER",
    type: null,
    active_lock_reason: null,
    sub_issues_summary: { total: subIssues, completed: 0, percent_completed: 0 },
    ...(parentNumber === undefined ? {} : { parent_issue_url: `${api}/issues/${parentNumber}` }),
    body: issue.body,
    closed_by: null,
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
    state_reason: null,
  };
}
