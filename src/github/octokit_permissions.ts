/** A user's role on a repository for the Octokit gateway (GitHub's collaborator-permission API). */
import type { RepoPermission, RepoRef } from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";
import { isNotFound } from "./octokit_errors.ts";

const ROLES: readonly RepoPermission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/**
 * `GET /repos/{owner}/{repo}/collaborators/{username}/permission`: the `role_name` (which tells
 * `maintain` from `write` and `triage` from `read`, where `permission` does not); a custom role
 * falls back to its base `permission`; 404 (no such account) is `none`.
 * @throws GitHubError for any other failure.
 */
export async function getPermission(
  api: OctokitCalls,
  repo: RepoRef,
  login: string,
): Promise<RepoPermission> {
  try {
    const { data } = await api.octokit.rest.repos.getCollaboratorPermissionLevel({
      ...api.where(repo),
      username: login,
    });
    const role = ROLES.find((r) => r === data.role_name) ?? ROLES.find((r) => r === data.permission);
    return role ?? "none";
  } catch (error) {
    if (isNotFound(error)) return "none";
    throw api.fail(`read ${login}'s permission on ${name(repo)}`, error);
  }
}
