/**
 * Pull request review comments: `GET /repos/{owner}/{repo}/pulls/{n}/comments` and `POST
 * /repos/{owner}/{repo}/pulls/{n}/comments/{id}/replies`, as on GitHub: a reply joins the thread of
 * the comment it answers (GitHub sets `in_reply_to_id` to the thread's first comment) and takes its
 * file, line and diff hunk. Tests seed people's comments with {@link addReviewComment}.
 */
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import { pagedJson } from "./pagination.ts";
import { json, notFound, unprocessable } from "./responses.ts";
import type { StandInState, StoredPull, StoredRepo } from "./state.ts";
import { nodeId, simpleUser } from "./wire_repo.ts";

/** A review comment as stored. */
export interface StoredReviewComment {
  id: number;
  repo: string;
  pull: number;
  /** The thread's first comment, for a reply. */
  inReplyTo?: number;
  path: string;
  line: number;
  diffHunk: string;
  body: string;
  author: string;
  /** The head commit it was made on. */
  commitId: string;
  createdAt: string;
}

/** A review comment a person makes on a pull request's diff (see {@link addReviewComment}). */
export interface PersonReviewComment {
  login: string;
  path: string;
  line: number;
  body: string;
  /** The lines around it as GitHub shows them; default a one-line hunk. */
  diffHunk?: string;
}

/** Every review comment of the stand-in, in creation order. */
export const reviewCommentsOf = new WeakMap<StandInState, StoredReviewComment[]>();

function store(state: StandInState): StoredReviewComment[] {
  let comments = reviewCommentsOf.get(state);
  if (!comments) reviewCommentsOf.set(state, comments = []);
  return comments;
}

const DOCS = "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment";

export function reviewCommentJson(state: StandInState, repo: StoredRepo, comment: StoredReviewComment) {
  const api = `${state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const html = `${state.baseUrl}/${repo.owner}/${repo.name}/pull/${comment.pull}#discussion_r${comment.id}`;
  const url = `${api}/pulls/comments/${comment.id}`;
  const account = state.account(comment.author);
  return {
    url,
    pull_request_review_id: comment.id + 1,
    id: comment.id,
    node_id: nodeId("PRRC", comment.id),
    diff_hunk: comment.diffHunk,
    path: comment.path,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyTo === undefined ? {} : { in_reply_to_id: comment.inReplyTo }),
    user: simpleUser(state.baseUrl, account.login, { id: account.id, type: account.type }),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: html,
    pull_request_url: `${api}/pulls/${comment.pull}`,
    author_association: account === state.user ? "NONE" : "COLLABORATOR",
    _links: {
      self: { href: url },
      html: { href: html },
      pull_request: { href: `${api}/pulls/${comment.pull}` },
    },
    line: comment.line,
    original_line: comment.line,
    side: "RIGHT",
    original_position: 1,
    position: 1,
    subject_type: "line",
  };
}

function pullOf(repo: StoredRepo, number: string | undefined): StoredPull | undefined {
  return repo.pulls.find((pull) => pull.number === Number(number));
}

/** Adds a person's review comment on `pull`'s diff, at its head commit; returns its id. */
export function addReviewComment(
  state: StandInState,
  repo: StoredRepo,
  pull: StoredPull,
  comment: PersonReviewComment,
): number {
  state.account(comment.login);
  const stored: StoredReviewComment = {
    id: state.nextId(),
    repo: `${repo.owner}/${repo.name}`,
    pull: pull.number,
    path: comment.path,
    line: comment.line,
    diffHunk: comment.diffHunk ?? `@@ -${comment.line},1 +${comment.line},1 @@`,
    body: comment.body,
    author: comment.login,
    commitId: pull.headRepo.refs.get(`refs/heads/${pull.head}`) ?? "",
    createdAt: new Date().toISOString(),
  };
  store(state).push(stored);
  return stored.id;
}

/** The review comments of `pull` of `repo`, in creation order. */
export function reviewCommentsOfPull(
  state: StandInState,
  repo: StoredRepo,
  pull: number,
): StoredReviewComment[] {
  return store(state).filter((c) => c.repo === `${repo.owner}/${repo.name}` && c.pull === pull);
}

function listReviewComments({ state, repo, params, query }: RouteContext): Response {
  const pull = pullOf(repo, params[0]);
  if (!pull) return notFound();
  const comments = reviewCommentsOfPull(state, repo, pull.number).map((c) =>
    reviewCommentJson(state, repo, c)
  );
  return pagedJson(
    comments,
    query,
    `${state.baseUrl}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}/comments`,
  );
}

function reply({ state, repo, params, body }: RouteContext): Response {
  const pull = pullOf(repo, params[0]);
  const answered = pull &&
    reviewCommentsOfPull(state, repo, pull.number).find((c) => c.id === Number(params[1]));
  if (!pull || !answered) return notFound();
  const text = field(body, "body");
  if (typeof text !== "string" || text.trim() === "") {
    return unprocessable("Invalid request.\n\nbody cannot be blank.", { docs: DOCS });
  }
  const stored: StoredReviewComment = {
    ...answered,
    id: state.nextId(),
    inReplyTo: answered.inReplyTo ?? answered.id,
    body: text,
    author: state.user.login,
    commitId: pull.headRepo.refs.get(`refs/heads/${pull.head}`) ?? answered.commitId,
    createdAt: new Date().toISOString(),
  };
  store(state).push(stored);
  const created = reviewCommentJson(state, repo, stored);
  return json(201, created, { location: created.url });
}

/** The review comment routes. */
export const reviewCommentRoutes: Route[] = [
  { method: "GET", pattern: /^\/pulls\/(\d+)\/comments$/, handle: listReviewComments },
  { method: "POST", pattern: /^\/pulls\/(\d+)\/comments\/(\d+)\/replies$/, handle: reply },
];
