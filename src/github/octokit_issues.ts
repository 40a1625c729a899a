/** Reading issues and sub-issues for the Octokit gateway. */
import { GitHubError } from "../errors.ts";
import type { Issue, IssueComment, RepoRef } from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";
import { isNotFound } from "./octokit_errors.ts";

/** What GitHub's issue objects carry that {@link Issue} needs. */
interface IssueData {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  state: string;
  repository_url: string;
}

/** `…/repos/OWNER/NAME` (an issue's `repository_url`, also on GitHub Enterprise Server) → its repo. */
function repoOfUrl(url: string): RepoRef | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(url);
  return match ? { owner: decodeURIComponent(match[1]!), name: decodeURIComponent(match[2]!) } : undefined;
}

function toIssue(data: IssueData, queried: RepoRef): Issue {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    url: data.html_url,
    state: data.state === "closed" ? "closed" : "open",
    repo: repoOfUrl(data.repository_url) ?? queried,
  };
}

export async function getIssue(api: OctokitCalls, repo: RepoRef, number: number): Promise<Issue> {
  const what = `read issue #${number} of ${name(repo)}`;
  const { data } = await api.attempt(
    what,
    () => api.octokit.rest.issues.get({ ...api.where(repo), issue_number: number }),
  );
  if (data.pull_request) {
    throw new GitHubError(`Cannot ${what}: #${number} is a pull request, not an issue`);
  }
  return toIssue(data, repo);
}

export async function listSubIssues(api: OctokitCalls, repo: RepoRef, number: number): Promise<Issue[]> {
  const items = await api.attempt(
    `list the sub-issues of #${number} in ${name(repo)}`,
    () =>
      api.octokit.paginate(api.octokit.rest.issues.listSubIssues, {
        ...api.where(repo),
        issue_number: number,
        per_page: 100,
      }),
  );
  return items.map((item) => toIssue(item, repo));
}

export async function createIssueComment(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
  body: string,
): Promise<IssueComment> {
  const { data } = await api.attempt(
    `comment on #${number} in ${name(repo)}`,
    () => api.octokit.rest.issues.createComment({ ...api.where(repo), issue_number: number, body }),
  );
  return { id: data.id, url: data.html_url };
}

export async function updateIssueComment(
  api: OctokitCalls,
  repo: RepoRef,
  id: number,
  body: string,
): Promise<IssueComment | undefined> {
  try {
    const { data } = await api.octokit.rest.issues.updateComment({
      ...api.where(repo),
      comment_id: id,
      body,
    });
    return { id: data.id, url: data.html_url };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw api.fail(`edit comment ${id} in ${name(repo)}`, error);
  }
}
