/**
 * `GET /repos/{owner}/{repo}`, `GET .../branches/{branch}`, `GET .../commits/{ref}` and
 * `GET .../tarball/{ref}` (a 302 to codeload), and the collaborator permission (`collaborator_routes.ts`).
 */
import { collaboratorRoutes } from "./collaborator_routes.ts";
import type { Route, RouteContext } from "./router.ts";
import type { StoredRepo } from "./state.ts";
import { githubHeaders, json, notFound, unprocessable } from "./responses.ts";
import { branchWithProtection, restCommit } from "./wire_git.ts";
import { fullRepository } from "./wire_repo.ts";

/** Resolves a ref the way the archive endpoints do: full sha, branch, `heads/x`, `refs/heads/x` or tag. */
export function resolveCommitish(
  repo: StoredRepo,
  ref: string,
): { sha: string; refPath: string } | undefined {
  if (ref === "") ref = repo.defaultBranch;
  if (/^[0-9a-f]{40}$/i.test(ref) && repo.store.commit(ref)) return { sha: ref.toLowerCase(), refPath: ref };
  for (const candidate of [ref, `refs/heads/${ref}`, `refs/${ref}`, `refs/tags/${ref}`]) {
    const sha = repo.refs.get(candidate);
    if (sha) return { sha, refPath: candidate };
  }
  return undefined;
}

function tarballRedirect({ state, repo, params }: RouteContext): Response {
  const resolved = resolveCommitish(repo, params[0] ?? "");
  if (!resolved) return notFound();
  const token = crypto.randomUUID().replaceAll("-", "").toUpperCase();
  state.codeloadTokens.set(token, { repo, sha: resolved.sha });
  const location = `${state.baseUrl}/_codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${resolved.refPath}` +
    `?token=${token}`;
  return new Response(null, { status: 302, headers: githubHeaders({ location, "content-length": "0" }) });
}

/** `GET /commits/{ref}`; GitHub answers an unknown ref with a 422, not a 404. */
function getCommit({ state, repo, params, query }: RouteContext): Response {
  const ref = params[0] ?? "";
  const resolved = ref === "" ? undefined : resolveCommitish(repo, ref);
  const commit = resolved && restCommit(state, repo, resolved.sha, query);
  if (!commit) {
    return unprocessable(`No commit found for SHA: ${ref}`, {
      docs: "https://docs.github.com/rest/commits/commits#get-a-commit",
    });
  }
  return json(200, commit);
}

/** The repository routes. */
export const repoRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^$/,
    handle: ({ state, repo }) => json(200, fullRepository(state.baseUrl, repo)),
  },
  {
    method: "GET",
    pattern: /^\/branches\/(.+)$/,
    handle: ({ state, repo, params }) => {
      const branch = params[0] ?? "";
      const sha = repo.refs.get(`refs/heads/${branch}`);
      return sha ? json(200, branchWithProtection(state.baseUrl, repo, branch, sha)) : notFound();
    },
  },
  { method: "GET", pattern: /^\/commits\/(.+)$/, handle: getCommit },
  { method: "GET", pattern: /^\/tarball(?:\/(.*))?$/, handle: tarballRedirect },
  ...collaboratorRoutes,
];
