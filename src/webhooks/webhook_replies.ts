/** The one comment on an issue that says why the agent did not start, and what would start it. */
import type { GitHubGateway, RepoRef } from "../github/gateway.ts";

/** What would start the agent, after a trigger on an issue that is no work item. */
export const NOT_A_WORK_ITEM =
  "The agent works on an open `[dev]` issue, or on a parent issue with open `[dev]` " +
  "sub-issues in this repository.";
/** When to try again, after a trigger past the submitter's quota. */
export const QUOTA_HINT = "Try again once earlier jobs have finished, or tomorrow (UTC) for the daily limit.";

/** Comments on `issue`: "The agent did not start: `reason`", then `hint`. */
export async function explain(
  gateway: GitHubGateway,
  repo: RepoRef,
  issue: number,
  reason: string,
  hint: string,
): Promise<void> {
  await gateway.createIssueComment(repo, issue, `The agent did not start: ${reason}\n\n${hint}`);
}
