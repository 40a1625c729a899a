/** `POST /pulls`, `GET /pulls` (filters `state`, `head`, `base`), `GET` and `PATCH /pulls/{n}`. */
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import type { StoredPull, StoredRepo } from "./state.ts";
import { isoNow, nextIssueNumber } from "./state.ts";
import { pagedJson } from "./pagination.ts";
import { json, notFound, unprocessable } from "./responses.ts";
import { pullFull, pullSimple } from "./wire_pull.ts";

const DOCS = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";

function invalid(errors: Array<Record<string, string>>): Response {
  return unprocessable("Validation Failed", {
    docs: DOCS,
    errors: errors.map((e) => ({ resource: "PullRequest", ...e })),
  });
}

/** `owner:branch` or `branch` → branch, when the owner is this repo's. */
function headBranch(repo: StoredRepo, head: string): string | undefined {
  const colon = head.indexOf(":");
  if (colon === -1) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.toLowerCase() ? head.slice(colon + 1) : undefined;
}

function createPull({ state, repo, body }: RouteContext): Response {
  const title = field(body, "title"), head = field(body, "head"), base = field(body, "base");
  const text = field(body, "body"), draft = field(body, "draft") ?? false;
  if (typeof title !== "string" || title.trim() === "") {
    return invalid([{ field: "title", code: "missing_field" }]);
  }
  if (typeof base !== "string" || !repo.refs.has(`refs/heads/${base}`)) {
    return invalid([{ field: "base", code: "invalid" }]);
  }
  const branch = typeof head === "string" ? headBranch(repo, head) : undefined;
  if (branch === undefined || !repo.refs.has(`refs/heads/${branch}`)) {
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
  if (repo.pulls.some((pull) => pull.state === "open" && pull.head === branch && pull.base === base)) {
    return invalid([{
      code: "custom",
      message: `A pull request already exists for ${repo.owner}:${branch}.`,
    }]);
  }
  const baseSha = repo.refs.get(`refs/heads/${base}`) ?? "",
    headSha = repo.refs.get(`refs/heads/${branch}`) ?? "";
  if (repo.store.commitsBetween(baseSha, headSha) === 0) {
    return invalid([{ code: "custom", message: `No commits between ${base} and ${branch}` }]);
  }
  const now = isoNow();
  const pull: StoredPull = {
    id: state.nextId(),
    number: nextIssueNumber(repo),
    title,
    body: typeof text === "string" ? text : "",
    head: branch,
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
  const branch = head === null ? undefined : head.includes(":") ? headBranch(repo, head) ?? "\0" : head;
  const matching = repo.pulls
    .filter((pull) => wanted === "all" || pull.state === wanted)
    .filter((pull) => branch === undefined || pull.head === branch)
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
];
