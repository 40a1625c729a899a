/**
 * `GET /repos/{owner}/{repo}/issues/{n}`, `GET .../issues/{n}/sub_issues` and
 * `POST .../issues/{n}/labels` (issues and pull requests alike, as on GitHub).
 */
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import { pagedJson } from "./pagination.ts";
import { json, notFound, unprocessable } from "./responses.ts";
import type { StoredIssue } from "./state.ts";
import { issueJson } from "./wire_issue.ts";
import { ensureLabel, labelJson } from "./wire_label.ts";

const LABELS_DOCS = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue";

function getIssue({ state, repo, params }: RouteContext): Response {
  const number = Number(params[0]);
  const issue = repo.issues.get(number);
  if (issue) return json(200, issueJson(state, repo, issue));
  const pull = repo.pulls.find((candidate) => candidate.number === number);
  if (!pull) return notFound();
  const api = `${state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const asIssue: StoredIssue = {
    id: pull.id,
    number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    labels: pull.labels,
    subIssues: [],
    createdAt: pull.createdAt,
  };
  return json(200, {
    ...issueJson(state, repo, asIssue),
    draft: pull.draft,
    pull_request: {
      url: `${api}/pulls/${number}`,
      html_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}`,
      diff_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}.diff`,
      patch_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}.patch`,
      merged_at: null,
    },
  });
}

/** Sub-issues in order, each shaped with its own repository (they may live elsewhere). */
function listSubIssues({ state, repo, params, query }: RouteContext): Response {
  const number = Number(params[0]);
  const issue = repo.issues.get(number);
  if (!issue) return notFound();
  const children = issue.subIssues.flatMap((ref) => {
    const found = state.issue(ref);
    return found ? [issueJson(state, found.repo, found.issue)] : [];
  });
  return pagedJson(
    children,
    query,
    `${state.baseUrl}/repos/${repo.owner}/${repo.name}/issues/${number}/sub_issues`,
  );
}

/** The label names of a request body: `{labels: [...]}` or a bare array, of names or `{name}`. */
function requestedLabels(body: unknown): string[] | undefined {
  const list = Array.isArray(body) ? body : field(body, "labels");
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const names = list.map((item) => typeof item === "string" ? item : field(item, "name"));
  return names.every((name): name is string => typeof name === "string" && name.trim() !== "")
    ? names
    : undefined;
}

/** Adds labels (creating unknown names with GitHub's default colour); answers every label it now has. */
function addLabels({ state, repo, params, body }: RouteContext): Response {
  const number = Number(params[0]);
  const target = repo.issues.get(number) ?? repo.pulls.find((pull) => pull.number === number);
  if (!target) return notFound();
  const names = requestedLabels(body);
  if (!names) {
    return unprocessable('Invalid request.\n\nNo subschema in "anyOf" matched.', { docs: LABELS_DOCS });
  }
  for (const name of names) {
    const label = ensureLabel(repo, name.trim(), () => state.nextId());
    if (!target.labels.some((known) => known.toLowerCase() === label.name.toLowerCase())) {
      target.labels.push(label.name);
    }
  }
  return json(200, target.labels.map((name) => labelJson(state.baseUrl, repo, name)));
}

/** The issue routes. A pull request number answers as an issue with a `pull_request` field, as on GitHub. */
export const issueRoutes: Route[] = [
  { method: "GET", pattern: /^\/issues\/(\d+)$/, handle: getIssue },
  { method: "GET", pattern: /^\/issues\/(\d+)\/sub_issues$/, handle: listSubIssues },
  { method: "POST", pattern: /^\/issues\/(\d+)\/labels$/, handle: addLabels },
];
