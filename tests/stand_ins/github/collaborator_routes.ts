/**
 * `GET /repos/{owner}/{repo}/collaborators/{username}/permission`, as on GitHub: the user's
 * `role_name` (`admin`, `maintain`, `write`, `triage`, `read`) and the legacy `permission`
 * (`maintain` reads `write`, `triage` reads `read`); an account without access is `none`; a login no
 * account has is a 404. The token's own account (the App's bot) has `write`.
 */
import type { Route, RouteContext } from "./router.ts";
import { json, notFound } from "./responses.ts";
import type { StandInState, StoredRepo } from "./state.ts";
import { simpleUser } from "./wire_repo.ts";

/** A role a collaborator can hold on a repository. */
export type StandInRole = "admin" | "maintain" | "write" | "triage" | "read";

/** Roles granted: repo id → lower-case login → role. */
const grants = new WeakMap<StandInState, Map<number, Map<string, StandInRole>>>();

/** Gives `login` (an account created if missing) `role` on `repo`. */
export function grantRole(state: StandInState, repo: StoredRepo, login: string, role: StandInRole): void {
  state.account(login);
  let byRepo = grants.get(state);
  if (!byRepo) grants.set(state, byRepo = new Map());
  let roles = byRepo.get(repo.id);
  if (!roles) byRepo.set(repo.id, roles = new Map());
  roles.set(login.toLowerCase(), role);
}

function roleOf(state: StandInState, repo: StoredRepo, login: string): StandInRole | "none" {
  const granted = grants.get(state)?.get(repo.id)?.get(login.toLowerCase());
  if (granted) return granted;
  return login.toLowerCase() === state.user.login.toLowerCase() ? "write" : "none";
}

const LEGACY: Record<StandInRole | "none", string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function getPermission({ state, repo, params }: RouteContext): Response {
  const account = state.accounts.get((params[0] ?? "").toLowerCase());
  if (!account) return notFound();
  const role = roleOf(state, repo, account.login);
  const user = role === "none" ? null : {
    ...simpleUser(state.baseUrl, account.login, { id: account.id, type: account.type }),
    permissions: {
      pull: true,
      triage: role !== "read",
      push: ["write", "maintain", "admin"].includes(role),
      maintain: ["maintain", "admin"].includes(role),
      admin: role === "admin",
    },
    role_name: role,
  };
  return json(200, { permission: LEGACY[role], role_name: role === "none" ? "none" : role, user });
}

/** The collaborator routes. */
export const collaboratorRoutes: Route[] = [
  { method: "GET", pattern: /^\/collaborators\/([^/]+)\/permission$/, handle: getPermission },
];
