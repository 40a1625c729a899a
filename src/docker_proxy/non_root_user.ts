/** The one form of `User` the proxy accepts for containers and execs. */
import { PROGRAMS_USER, SANDBOX_USER } from "../sandbox/limits.ts";
import { brief } from "./body_check.ts";
import type { Rule } from "./policy_engine.ts";
import { all, must } from "./rule_combinators.ts";

/**
 * True for a numeric, non-zero uid with a numeric, non-zero gid (`1000:1000`).
 * Names are refused: the image's /etc/passwd could map any name to uid 0, and
 * an empty user means the image's default (often root). A uid alone is
 * refused too: without a passwd entry for it the process runs as group 0
 * (root's group), which owns files a sandbox must not write.
 */
export function isNonRootUser(user: unknown): user is string {
  return typeof user === "string" && /^[1-9][0-9]{0,9}:[1-9][0-9]{0,9}$/.test(user);
}

/** The policy rule for `User`: {@link isNonRootUser}, naming what was sent. */
export const nonRootUser: Rule = must(
  isNonRootUser,
  (v) => `must be a non-root numeric uid:gid (both non-zero; a uid alone runs as group 0), got ${brief(v)}`,
);

/**
 * The users an exec may run as, and nothing broader: the sandbox user (the agent's processes) and
 * the programs user (the image's own programs, out of the agent's reach), as `src/sandbox/limits.ts`
 * names them.
 */
export const EXEC_USERS: readonly string[] = [SANDBOX_USER, PROGRAMS_USER];

/** The policy rule for an exec's `User`: {@link nonRootUser}, and one of {@link EXEC_USERS}. */
export const execUser: Rule = all(
  nonRootUser,
  must(
    (v) => EXEC_USERS.includes(v as string),
    (v) =>
      `must be ${SANDBOX_USER} (the sandbox user) or ${PROGRAMS_USER} (the programs user), got ${brief(v)}`,
  ),
);
