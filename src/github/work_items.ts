/**
 * Resolves a submitted issue to the `[dev]` work items the agent works on:
 * the issue itself, or its `[dev]` sub-issues when it is a parent.
 */
import { WorkItemError } from "../errors.ts";
import type { GitHubGateway, Issue, RepoRef } from "./gateway.ts";

const DEV_PREFIX = /^\s*\[dev\]/i;

/** True when `title` starts with `[dev]` (any case, leading whitespace allowed). */
export function isDevTitle(title: string): boolean {
  return DEV_PREFIX.test(title);
}

/** `title` without its leading `[dev]` marker and the separators after it (`:`, `-`, `–`, spaces). */
export function stripDevPrefix(title: string): string {
  return title.replace(DEV_PREFIX, "").replace(/^[\s:\-–—|]+/, "").trim();
}

/** A `[dev]` sub-issue the job does not work on, and why. */
export interface SkippedItem {
  issue: Issue;
  /** e.g. `closed`, or `in acme/other, not acme/qa: open the job on that repository`. */
  reason: string;
}

/** The work items of one submission; `parent` is set when they came from sub-issues. */
export interface WorkItems {
  parent?: Issue;
  items: Issue[];
  /** `[dev]` sub-issues left out, in GitHub's order. */
  skipped: SkippedItem[];
}

const fullName = (repo: RepoRef) => `${repo.owner}/${repo.name}`;
const sameRepo = (a: RepoRef, b: RepoRef) => fullName(a).toLowerCase() === fullName(b).toLowerCase();

/** `#N`, or `owner/name#N` for an issue outside `repo`. */
function reference(issue: Issue, repo: RepoRef): string {
  return sameRepo(issue.repo, repo) ? `#${issue.number}` : `${fullName(issue.repo)}#${issue.number}`;
}

/** Why a `[dev]` sub-issue is not worked on in `repo`, or undefined when it is. */
function skipReason(issue: Issue, repo: RepoRef): string | undefined {
  if (!sameRepo(issue.repo, repo)) {
    return `in ${fullName(issue.repo)}, not ${fullName(repo)}: open the job on that repository`;
  }
  return issue.state === "closed" ? "closed" : undefined;
}

/**
 * A `[dev]` issue is the single work item; any other issue is a parent whose open `[dev]`
 * sub-issues of the same repository, in GitHub's order, are the work items. `[dev]` sub-issues
 * in another repository (their pull request belongs there) or closed are `skipped`, with why.
 *
 * @throws WorkItemError `issue_closed: #41 of acme/qa is closed; …` when a directly submitted
 *   `[dev]` issue is closed; when it now lives in another repository (transferred); when the issue
 *   is not `[dev]` and has no `[dev]` sub-issues, or every one of them is skipped (each named).
 * @throws GitHubError when GitHub cannot be read.
 */
export async function resolveWorkItems(
  gateway: GitHubGateway,
  repo: RepoRef,
  issueNumber: number,
): Promise<WorkItems> {
  const issue = await gateway.getIssue(repo, issueNumber);
  const name = `#${issueNumber} of ${fullName(repo)}`;
  if (isDevTitle(issue.title)) {
    if (!sameRepo(issue.repo, repo)) {
      throw new WorkItemError(
        `Issue ${name} now lives in ${
          fullName(issue.repo)
        } as #${issue.number}; open the job on that repository`,
      );
    }
    if (issue.state === "closed") {
      throw new WorkItemError(`issue_closed: ${name} is closed; reopen it to run the agent on it`);
    }
    return { items: [issue], skipped: [] };
  }
  const children = await gateway.listSubIssues(repo, issueNumber);
  const dev = children.filter((child) => isDevTitle(child.title));
  const items: Issue[] = [];
  const skipped: SkippedItem[] = [];
  for (const child of dev) {
    const reason = skipReason(child, repo);
    if (reason === undefined) items.push(child);
    else skipped.push({ issue: child, reason });
  }
  if (items.length > 0) return { parent: issue, items, skipped };
  if (dev.length === 0) {
    const found = children.length === 0
      ? "has no sub-issues"
      : `has no [dev] sub-issues (of ${children.length})`;
    throw new WorkItemError(`Issue ${name} is not a [dev] work item and ${found}`);
  }
  const named = skipped.map((item) => `${reference(item.issue, repo)} (${item.reason})`).join("; ");
  throw new WorkItemError(
    `Issue ${name} is not a [dev] work item and every [dev] sub-issue of it is skipped: ${named}`,
  );
}
