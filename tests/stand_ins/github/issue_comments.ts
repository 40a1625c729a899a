/**
 * Issue comments: `POST /repos/{owner}/{repo}/issues/{n}/comments`, `PATCH
 * /repos/{owner}/{repo}/issues/comments/{id}` and `GET …/issues/{n}/comments`, as on GitHub
 * (a pull request's conversation is its issue's). Comments keep every version of their body, so a
 * test sees whether a comment was edited in place or a new one posted.
 */
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import { json, notFound, unprocessable } from "./responses.ts";
import type { StandInState, StoredRepo } from "./state.ts";
import { nodeId, simpleUser } from "./wire_repo.ts";

/** A comment as stored. */
export interface StoredComment {
  id: number;
  repo: string;
  issue: number;
  author: string;
  /** Every body it had, the current one last. */
  versions: string[];
  createdAt: string;
  updatedAt: string;
}

/** Every issue comment of the stand-in, by id. */
export const commentsOf = new WeakMap<StandInState, Map<number, StoredComment>>();

function store(state: StandInState): Map<number, StoredComment> {
  let comments = commentsOf.get(state);
  if (!comments) commentsOf.set(state, comments = new Map());
  return comments;
}

const DOCS = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";

function commentJson(state: StandInState, repo: StoredRepo, comment: StoredComment) {
  const api = `${state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const web = `${state.baseUrl}/${repo.owner}/${repo.name}`;
  const isPull = repo.pulls.some((pull) => pull.number === comment.issue);
  return {
    id: comment.id,
    node_id: nodeId("IC", comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${web}/${isPull ? "pull" : "issues"}/${comment.issue}#issuecomment-${comment.id}`,
    body: comment.versions.at(-1)!,
    user: simpleUser(state.baseUrl, state.user.login, { id: state.user.id, type: state.user.type }),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issue}`,
    author_association: "NONE",
    performed_via_github_app: null,
    reactions: {
      url: `${api}/issues/comments/${comment.id}/reactions`,
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
  };
}

function bodyOf(body: unknown): string | undefined {
  const text = field(body, "body");
  return typeof text === "string" && text.trim() !== "" ? text : undefined;
}

function createComment({ state, repo, params, body }: RouteContext): Response {
  const number = Number(params[0]);
  if (!repo.issues.has(number) && !repo.pulls.some((pull) => pull.number === number)) return notFound();
  const text = bodyOf(body);
  if (text === undefined) return unprocessable("Invalid request.\n\nbody cannot be blank.", { docs: DOCS });
  const now = new Date().toISOString();
  const comment: StoredComment = {
    id: state.nextId(),
    repo: `${repo.owner}/${repo.name}`,
    issue: number,
    author: state.user.login,
    versions: [text],
    createdAt: now,
    updatedAt: now,
  };
  store(state).set(comment.id, comment);
  return json(201, commentJson(state, repo, comment), {
    location: `${state.baseUrl}/repos/${repo.owner}/${repo.name}/issues/comments/${comment.id}`,
  });
}

function updateComment({ state, repo, params, body }: RouteContext): Response {
  const comment = store(state).get(Number(params[0]));
  if (!comment || comment.repo !== `${repo.owner}/${repo.name}`) return notFound();
  const text = bodyOf(body);
  if (text === undefined) return unprocessable("Invalid request.\n\nbody cannot be blank.", { docs: DOCS });
  comment.versions.push(text);
  comment.updatedAt = new Date().toISOString();
  return json(200, commentJson(state, repo, comment));
}

function listComments({ state, repo, params }: RouteContext): Response {
  const number = Number(params[0]);
  if (!repo.issues.has(number) && !repo.pulls.some((pull) => pull.number === number)) return notFound();
  const comments = [...store(state).values()].filter((c) =>
    c.repo === `${repo.owner}/${repo.name}` && c.issue === number
  );
  return json(200, comments.map((c) => commentJson(state, repo, c)));
}

/** The comment routes. */
export const commentRoutes: Route[] = [
  { method: "POST", pattern: /^\/issues\/(\d+)\/comments$/, handle: createComment },
  { method: "GET", pattern: /^\/issues\/(\d+)\/comments$/, handle: listComments },
  { method: "PATCH", pattern: /^\/issues\/comments\/(\d+)$/, handle: updateComment },
];
