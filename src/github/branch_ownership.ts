/**
 * Which branches and pull requests belong to the service. It moves only a
 * branch whose head commit it made itself, and updates only a pull request it
 * opened. Both carry a mark people can see: a git trailer with the job id on
 * every commit (`Backend-Agent-Job: <id>`), and a hidden marker line at the end
 * of every pull request body (plus the {@link PR_LABEL} label).
 */
import type { GitHubGateway, OpenPullRequest, RepoRef } from "./gateway.ts";
import { sanitizeUntrusted } from "./sanitize.ts";

/** The git trailer key on every commit the service makes. */
export const JOB_TRAILER = "Backend-Agent-Job";

/** The label the service puts on the pull requests it opens. */
export const PR_LABEL = "backend-agent";

const MARKER_PREFIX = "<!-- backend-agent:job=";

/** A job id as it may appear in a trailer or marker: one token, no spaces, no `-->`. */
function cleanJobId(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9._:-]+/g, "-");
}

/**
 * A commit message: `title` on the first line, a blank line, `body` (when not empty), a blank
 * line, and the trailer `Backend-Agent-Job: <jobId>` as the last paragraph, in git's trailer
 * format (`git interpret-trailers`, RFC 822-style `Key: value`). Ends with a newline.
 */
export function commitMessage(title: string, body: string, jobId: string): string {
  const subject = title.replace(/\s+/g, " ").trim();
  const text = body.replace(/\r\n?/g, "\n").trim();
  const trailer = `${JOB_TRAILER}: ${cleanJobId(jobId)}`;
  return [subject, ...(text === "" ? [] : [text]), trailer].join("\n\n") + "\n";
}

/**
 * The job id in the trailer block of `message` (its last paragraph, not the subject, when every
 * line of it is a `Key: value` trailer or a continuation), or undefined. Keys compare without
 * case, as git compares them.
 */
export function jobOfCommit(message: string): string | undefined {
  const paragraphs = message.replace(/\r\n?/g, "\n").trim().split(/\n[ \t]*\n/);
  if (paragraphs.length < 2) return undefined;
  const lines = paragraphs[paragraphs.length - 1]!.split("\n");
  if (!lines.every((line) => /^[A-Za-z0-9-]+[ \t]*:/.test(line) || /^[ \t]+\S/.test(line))) return undefined;
  const key = JOB_TRAILER.toLowerCase();
  for (const line of lines) {
    const match = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(\S+)[ \t]*$/.exec(line);
    if (match && match[1]!.toLowerCase() === key) return match[2];
  }
  return undefined;
}

/** The hidden line `<!-- backend-agent:job=<jobId> -->` put at the end of pull request bodies. */
export function pullRequestMarker(jobId: string): string {
  return `${MARKER_PREFIX}${cleanJobId(jobId)} -->`;
}

/** True when the pull request's body carries the service's marker (see {@link pullRequestMarker}). */
export function isOurPullRequest(pr: OpenPullRequest): boolean {
  return pr.body.includes(MARKER_PREFIX);
}

/** Whether the service may use a branch. */
export type BranchClaim =
  | { kind: "free" }
  | { kind: "ours"; headSha: string; pullRequest?: OpenPullRequest }
  | { kind: "taken"; reason: string };

/** Untrusted text for a reason: its first line, visible characters only, at most 72 characters. */
function oneLine(text: string): string {
  const line = sanitizeUntrusted(text.slice(0, 1_000)).split("\n")[0] ?? "";
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
}

/** {@link oneLine} in double quotes (inner ones turned into single quotes). */
function quoted(text: string): string {
  return `"${oneLine(text).replaceAll('"', "'")}"`;
}

/**
 * Reads `branch` and the open pull requests from it into `repo`, and says whether the service may use them.
 * The branch lives in `github.headRepo(repo)`: `repo` itself, or the fork of fork mode, whose branch and
 * whose pull requests into `repo` are the ones read.
 * - `free`: the branch does not exist and no open pull request uses it;
 * - `ours`: its head commit has the {@link JOB_TRAILER} trailer and every open pull request from
 *   it carries the marker (`pullRequest` is the first of them);
 * - `taken` otherwise, with a reason starting `branch_taken: ` that names who pushed or opened
 *   what and what to do.
 *
 * Writes nothing to GitHub. Permissions: contents and pull requests, read (of the fork too).
 * @throws GitHubError when GitHub cannot be read.
 */
export async function claimBranch(
  github: GitHubGateway,
  repo: RepoRef,
  branch: string,
): Promise<BranchClaim> {
  const head = github.headRepo(repo);
  const [commit, pulls] = await Promise.all([
    github.getBranchHead(head, branch),
    github.listOpenPullRequests(repo, { repo: head, branch }),
  ]);
  const forked = head.owner.toLowerCase() !== repo.owner.toLowerCase() ||
    head.name.toLowerCase() !== repo.name.toLowerCase();
  const where = forked ? `${head.owner}/${head.name}:${branch}` : branch;
  const issue = /^agent\/issue-(\d+)(?:-|$)/.exec(branch)?.[1];
  const letAgentWork = `to let the agent work on ${issue ? `#${issue}` : "this issue"}`;
  if (commit && jobOfCommit(commit.message) === undefined) {
    const who = commit.authorLogin ?? (oneLine(commit.authorName) || "an unknown author");
    return {
      kind: "taken",
      reason:
        `branch_taken: ${where} has commit ${commit.sha.slice(0, 7)} ${quoted(commit.message)} by ${who}, ` +
        `which the service did not make (no ${JOB_TRAILER} trailer); ` +
        `delete or rename the branch ${letAgentWork}`,
    };
  }
  const foreign = pulls.find((pull) => !isOurPullRequest(pull));
  if (foreign) {
    return {
      kind: "taken",
      reason: `branch_taken: pull request #${foreign.number} ${quoted(foreign.title)} by ${
        foreign.author || "an unknown account"
      } already uses ${where}; close it and delete or rename the branch ${letAgentWork}`,
    };
  }
  if (!commit) {
    if (pulls.length === 0) return { kind: "free" };
    return {
      kind: "taken",
      reason:
        `branch_taken: pull request #${pulls[0]!.number} is open on ${where}, which no longer exists; ` +
        `close it ${letAgentWork}`,
    };
  }
  return { kind: "ours", headSha: commit.sha, ...(pulls[0] ? { pullRequest: pulls[0] } : {}) };
}
