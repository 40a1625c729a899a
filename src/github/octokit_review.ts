/** Reading a pull request by number, its review comments, and replying in a review thread, for the Octokit gateway. */
import type { PullRequestState, RepoRef, ReviewComment } from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";

/** `owner/name` of a pull request's head repository, as GitHub's `head.repo.full_name` gives it. */
function repoOfFullName(fullName: string | undefined, fallback: RepoRef): RepoRef {
  const [owner, repoName, extra] = (fullName ?? "").split("/");
  return owner && repoName && extra === undefined ? { owner, name: repoName } : fallback;
}

export async function getPullRequest(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
): Promise<PullRequestState> {
  const { data } = await api.attempt(
    `read pull request #${number} of ${name(repo)}`,
    () => api.octokit.rest.pulls.get({ ...api.where(repo), pull_number: number }),
  );
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? "",
    base: data.base.ref,
    author: data.user?.login ?? "",
    labels: data.labels.map((label) => label.name),
    state: data.state === "closed" ? "closed" : "open",
    merged: data.merged === true || data.merged_at !== null,
    head: { repo: repoOfFullName(data.head.repo?.full_name, repo), branch: data.head.ref },
    headSha: data.head.sha,
  };
}

export async function listReviewComments(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
): Promise<ReviewComment[]> {
  const comments = await api.attempt(
    `list the review comments of pull request #${number} of ${name(repo)}`,
    () =>
      api.octokit.paginate(api.octokit.rest.pulls.listReviewComments, {
        ...api.where(repo),
        pull_number: number,
        per_page: 100,
      }),
  );
  return comments.map((comment) => ({
    id: comment.id,
    ...(comment.in_reply_to_id ? { inReplyTo: comment.in_reply_to_id } : {}),
    path: comment.path,
    ...(typeof comment.line === "number" ? { line: comment.line } : {}),
    diffHunk: comment.diff_hunk,
    body: comment.body,
    author: comment.user?.login ?? "",
    url: comment.html_url,
  }));
}

export async function replyToReviewComment(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
  commentId: number,
  body: string,
): Promise<{ url: string }> {
  const { data } = await api.attempt(
    `reply to review comment ${commentId} of pull request #${number} of ${name(repo)}`,
    () =>
      api.octokit.rest.pulls.createReplyForReviewComment({
        ...api.where(repo),
        pull_number: number,
        comment_id: commentId,
        body,
      }),
  );
  return { url: data.html_url };
}
