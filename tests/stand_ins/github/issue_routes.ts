/** `GET /repos/{owner}/{repo}/issues/{n}` and `GET .../issues/{n}/sub_issues`. */
import type { Route } from "./router.ts";
import { pagedJson } from "./pagination.ts";
import { json, notFound } from "./responses.ts";
import { issueJson } from "./wire_issue.ts";

/** The issue routes. A pull request number answers as an issue with a `pull_request` field, as on GitHub. */
export const issueRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/issues\/(\d+)$/,
    handle: ({ state, repo, params }) => {
      const number = Number(params[0]);
      const issue = repo.issues.get(number);
      if (issue) {
        const parent = [...repo.issues.values()].find((other) => other.subIssues.includes(number));
        return json(200, issueJson(state.baseUrl, repo, issue, parent?.number));
      }
      const pull = repo.pulls.find((candidate) => candidate.number === number);
      if (!pull) return notFound();
      const api = `${state.baseUrl}/repos/${repo.owner}/${repo.name}`;
      const asIssue = {
        id: pull.id,
        number,
        title: pull.title,
        body: pull.body,
        subIssues: [],
        createdAt: pull.createdAt,
      };
      return json(200, {
        ...issueJson(state.baseUrl, repo, asIssue),
        draft: pull.draft,
        pull_request: {
          url: `${api}/pulls/${number}`,
          html_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}`,
          diff_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}.diff`,
          patch_url: `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${number}.patch`,
          merged_at: null,
        },
      });
    },
  },
  {
    method: "GET",
    pattern: /^\/issues\/(\d+)\/sub_issues$/,
    handle: ({ state, repo, params, query }) => {
      const number = Number(params[0]);
      const issue = repo.issues.get(number);
      if (!issue) return notFound();
      const children = issue.subIssues.flatMap((child) => {
        const found = repo.issues.get(child);
        return found ? [issueJson(state.baseUrl, repo, found, number)] : [];
      });
      return pagedJson(
        children,
        query,
        `${state.baseUrl}/repos/${repo.owner}/${repo.name}/issues/${number}/sub_issues`,
      );
    },
  },
];
