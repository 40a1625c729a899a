/**
 * `POST /pulls` (from a branch of the repository or, with `head: "owner:branch"` and `head_repo`, of a fork
 * in its network), `GET /pulls` (filters `state`, `head`, `base`), `GET` and `PATCH /pulls/{n}`, and the
 * review comment routes (`review_comments.ts`).
 */
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import type { StandInState, StoredPull, StoredRepo } from "./state.ts";
import { isoNow, nextIssueNumber, sameNetwork } from "./state.ts";
import { pagedJson } from "./pagination.ts";
import { json, notFound, unprocessable } from "./responses.ts";
import { pullFull, pullSimple } from "./wire_pull.ts";
import { reviewCommentRoutes } from "./review_comments.ts";

const DOCS = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";

function invalid(errors: Array<Record<string, string>>): Response {
  return unprocessable("Validation Failed", {
    docs: DOCS,
    errors: errors.map((e) => ({ resource: "PullRequest", ...e })),
  });
}

/** A head as GitHub reads it: `branch` (of the base repository) or `owner:branch`. */
function parseHead(head: string): { owner?: string; branch: string } {
  const colon = head.indexOf(":");
  return colon === -1 ? { branch: head } : { owner: head.slice(0, colon), branch: head.slice(colon + 1) };
}

/**
 * The repository a new pull request's head lives in, as GitHub finds it: the base repository for
 * `branch` or its own owner's `owner:branch`; otherwise the repository of that owner in the base's fork
 * network, or the one `head_repo` (`owner/name`) names, which must belong to that owner and to the
 * network. Undefined when there is none: GitHub's `head` is then invalid.
 */
function headRepoOf(
  state: StandInState,
  base: StoredRepo,
  head: string,
  named: unknown,
): StoredRepo | undefined {
  const { owner } = parseHead(head);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (typeof named === "string") {
    const [namedOwner = "", namedName = "", extra] = named.split("/");
    const repo = extra === undefined ? state.repo(namedOwner, namedName) : undefined;
    if (!repo || owner === undefined || !same(repo.owner, owner) || !sameNetwork(repo, base)) {
      return undefined;
    }
    return repo;
  }
  if (owner === undefined || same(owner, base.owner)) return base;
  return [...state.repos.values()].find((repo) => same(repo.owner, owner) && sameNetwork(repo, base));
}

function createPull({ state, repo, body }: RouteContext): Response {
  const title = field(body, "title"), head = field(body, "head"), base = field(body, "base");
  const text = field(body, "body"), draft = field(body, "draft") ?? false, named = field(body, "head_repo");
  if (typeof title !== "string" || title.trim() === "") {
    return invalid([{ field: "title", code: "missing_field" }]);
  }
  if (typeof base !== "string" || !repo.refs.has(`refs/heads/${base}`)) {
    return invalid([{ field: "base", code: "invalid" }]);
  }
  if (named !== undefined && typeof named !== "string") {
    return unprocessable("Invalid request.", { docs: DOCS });
  }
  const headRepo = typeof head === "string" ? headRepoOf(state, repo, head, named) : undefined;
  const branch = typeof head === "string" ? parseHead(head).branch : undefined;
  if (!headRepo || branch === undefined || !headRepo.refs.has(`refs/heads/${branch}`)) {
    return invalid([{ field: "head", code: "invalid" }]);
  }
  if (typeof draft !== "boolean" || (text !== undefined && text !== null && typeof text !== "string")) {
    return unprocessable("Invalid request.", { docs: DOCS });
  }
  if (draft && !repo.allowDrafts) {
    return invalid([{
      code: "custom",
      message: "Draft pull requests are not supported in this repository.",
    }]);
  }
  if (
    repo.pulls.some((pull) =>
      pull.state === "open" && pull.headRepo === headRepo && pull.head === branch && pull.base === base
    )
  ) {
    return invalid([{
      code: "custom",
      message: `A pull request already exists for ${headRepo.owner}:${branch}.`,
    }]);
  }
  const baseSha = repo.refs.get(`refs/heads/${base}`) ?? "",
    headSha = headRepo.refs.get(`refs/heads/${branch}`) ?? "";
  if (repo.store.commitsBetween(baseSha, headSha) === 0) {
    return invalid([{
      code: "custom",
      message: `No commits between ${base} and ${headRepo.owner}:${branch}`,
    }]);
  }
  const now = isoNow();
  const pull: StoredPull = {
    id: state.nextId(),
    number: nextIssueNumber(repo),
    title,
    body: typeof text === "string" ? text : "",
    head: branch,
    headRepo,
    base,
    draft,
    state: "open",
    author: state.user,
    labels: [],
    createdAt: now,
    updatedAt: now,
  };
  repo.pulls.push(pull);
  const created = pullFull(state.baseUrl, repo, pull);
  return json(201, created, { location: created.url });
}

function listPulls({ state, repo, query }: RouteContext): Response {
  const wanted = query.get("state") ?? "open";
  if (!["open", "closed", "all"].includes(wanted)) return invalid([{ field: "state", code: "invalid" }]);
  const head = query.get("head"), base = query.get("base");
  // GitHub's `head` filter: `owner:branch`, the owner of the repository the branch lives in.
  const from = head === null ? undefined : parseHead(head);
  const matching = repo.pulls
    .filter((pull) => wanted === "all" || pull.state === wanted)
    .filter((pull) =>
      from === undefined ||
      (pull.head === from.branch &&
        pull.headRepo.owner.toLowerCase() === (from.owner ?? repo.owner).toLowerCase())
    )
    .filter((pull) => base === null || pull.base === base)
    .sort((a, b) => b.number - a.number)
    .map((pull) => pullSimple(state.baseUrl, repo, pull));
  return pagedJson(matching, query, `${state.baseUrl}/repos/${repo.owner}/${repo.name}/pulls`);
}

function updatePull({ state, repo, body, params }: RouteContext): Response {
  const pull = repo.pulls.find((candidate) => candidate.number === Number(params[0]));
  if (!pull) return notFound();
  const title = field(body, "title"),
    text = field(body, "body"),
    wanted = field(body, "state"),
    base = field(body, "base");
  if (wanted !== undefined && wanted !== "open" && wanted !== "closed") {
    return invalid([{ field: "state", code: "invalid" }]);
  }
  if (base !== undefined && (typeof base !== "string" || !repo.refs.has(`refs/heads/${base}`))) {
    return invalid([{ field: "base", code: "invalid" }]);
  }
  if (typeof title === "string") pull.title = title;
  if (typeof text === "string") pull.body = text;
  if (wanted === "open" || wanted === "closed") pull.state = wanted;
  if (typeof base === "string") pull.base = base;
  pull.updatedAt = isoNow();
  return json(200, pullFull(state.baseUrl, repo, pull));
}

/** The pull request routes. */
export const pullRoutes: Route[] = [
  { method: "POST", pattern: /^\/pulls$/, handle: createPull },
  { method: "GET", pattern: /^\/pulls$/, handle: listPulls },
  {
    method: "GET",
    pattern: /^\/pulls\/(\d+)$/,
    handle: ({ state, repo, params }) => {
      const pull = repo.pulls.find((candidate) => candidate.number === Number(params[0]));
      return pull ? json(200, pullFull(state.baseUrl, repo, pull)) : notFound();
    },
  },
  { method: "PATCH", pattern: /^\/pulls\/(\d+)$/, handle: updatePull },
  ...reviewCommentRoutes,
];
