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

/** The work items of one submission; `parent` is set when they came from sub-issues. */
export interface WorkItems {
  parent?: Issue;
  items: Issue[];
}

/**
 * A `[dev]` issue is the single work item; any other issue is a parent whose
 * `[dev]` sub-issues, in GitHub's order, are the work items.
 *
 * @throws WorkItemError when the issue is not `[dev]` and has no `[dev]` sub-issues.
 * @throws GitHubError when GitHub cannot be read.
 */
export async function resolveWorkItems(
  gateway: GitHubGateway,
  repo: RepoRef,
  issueNumber: number,
): Promise<WorkItems> {
  const issue = await gateway.getIssue(repo, issueNumber);
  if (isDevTitle(issue.title)) return { items: [issue] };
  const children = await gateway.listSubIssues(repo, issueNumber);
  const items = children.filter((child) => isDevTitle(child.title));
  if (items.length === 0) {
    const found = children.length === 0
      ? "has no sub-issues"
      : `has no [dev] sub-issues (of ${children.length})`;
    throw new WorkItemError(
      `Issue #${issueNumber} of ${repo.owner}/${repo.name} is not a [dev] work item and ${found}`,
    );
  }
  return { parent: issue, items };
}
