/**
 * The baseline commit: right after seeding, the workspace (exactly the base
 * tree) is committed inside the container, as the sandbox user, with every
 * path force-added whatever `.gitignore` says: a tracked file that
 * `.gitignore` matches stays tracked, as in the repository. The agent's
 * `git status` and `git diff` read against it, and new files are listed
 * against its index; tracked files are compared with the base tree itself
 * (see `changes.ts`).
 */
import { ALWAYS_IGNORED } from "./changes.ts";

/** Repository settings of the baseline, appended to `.git/config` (no `git config` process per key). */
const GIT_CONFIG = [
  "[user]",
  "\tname = backend-agent",
  "\temail = backend-agent@users.noreply.github.com",
  "[core]",
  "\tfileMode = true",
  "[gc]",
  "\tauto = 0",
];

/**
 * Bash (run in /workspace) that makes the baseline commit and prints its sha
 * as the last line. Three git processes; the rest are bash builtins.
 */
export const BASELINE_SCRIPT = [
  "set -e",
  "git init -q -b main .",
  `printf '%s\\n' ${GIT_CONFIG.map((l) => `$'${l.replace("\t", "\\t")}'`).join(" ")} >> .git/config`,
  `printf '%s\\n' ${ALWAYS_IGNORED.map((p) => `'${p}'`).join(" ")} >> .git/info/exclude`,
  "git add -A -f",
  "git commit -q --no-verify --allow-empty -m baseline",
  "read -r sha < .git/refs/heads/main",
  "printf '%s\\n' \"$sha\"",
].join("\n");

/** True for a full git sha. */
export function isSha(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}
