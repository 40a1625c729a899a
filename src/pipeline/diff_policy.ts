/**
 * The diff policy, checked on the host before anything is written to GitHub:
 * paths that are never the agent's to change, modes other than a regular
 * file's, and size and count caps. Every path and mode comes from the sandbox
 * and is untrusted.
 */
import type { LfsMatcher } from "../github/git_attributes.ts";
import { isDotGit, isDotGitmodules, pathProblem, shownPath } from "../github/git_path.ts";
import { type BaseTree, submoduleOf } from "./base_tree.ts";
import type { ProtectedPathMatcher } from "./protected_paths.ts";

/** Caps of one change set (`DIFF_MAX_FILES`, `DIFF_MAX_FILE_BYTES`, `DIFF_MAX_TOTAL_BYTES`). */
export interface DiffCaps {
  /** Most changed files, deletions included. */
  maxFiles: number;
  /** Largest single file, bytes. */
  maxFileBytes: number;
  /** Largest change set, bytes. */
  maxTotalBytes: number;
}

/** A path and why it is not committed. */
export interface LeftOutPath {
  path: string;
  reason: string;
}

/**
 * The whole policy (`DIFF_MAX_FILES`, `DIFF_MAX_FILE_BYTES`, `DIFF_MAX_TOTAL_BYTES`,
 * `DIFF_PROTECTED_PATHS`).
 */
export interface DiffPolicy extends DiffCaps {
  /** Globs of paths the agent may not change (see `protected_paths.ts`). */
  protectedPaths: readonly string[];
}

/** What {@link pathRefusal} checks a path against. */
export interface PathRules {
  tree: BaseTree;
  /** LFS rules of the base tree and of the change set's own `.gitattributes` files. */
  lfs: LfsMatcher;
  /** `DIFF_PROTECTED_PATHS`, compiled. */
  isProtected: ProtectedPathMatcher;
}

/** Git file modes the agent's files may have: a regular file, an executable one. */
export const FILE_MODES = ["100644", "100755"] as const;

/** True when `mode` is one of {@link FILE_MODES}, exactly. */
export function isFileMode(mode: unknown): mode is typeof FILE_MODES[number] {
  return FILE_MODES.some((m) => m === mode);
}

/**
 * Why the agent may not commit a file of git mode `mode`, or undefined when it may:
 * only {@link FILE_MODES}; a symlink (`120000`), a submodule (`160000`), a folder
 * (`040000`) or anything else is refused.
 */
export function modeRefusal(mode: string | undefined): string | undefined {
  if (isFileMode(mode)) return undefined;
  const what = mode === "120000"
    ? " (a symbolic link)"
    : mode === "160000"
    ? " (a submodule)"
    : mode === "040000"
    ? " (a folder)"
    : "";
  return `mode ${mode === undefined ? "(none)" : shownPath(mode)}${what} is not a regular file's: ` +
    "only 100644 and 100755 are committed";
}

/**
 * Why the agent may not change `path`, or undefined when it may. In order:
 * `.git` and `.gitmodules` in any spelling git treats as them ({@link isDotGit},
 * {@link isDotGitmodules}); a non-canonical path ({@link pathProblem}); a path
 * under a symlink of the base tree; a protected path (`DIFF_PROTECTED_PATHS`);
 * a path in or under a submodule; a path Git LFS stores. Deletions are checked
 * the same way. Pure.
 */
export function pathRefusal(path: string, rules: PathRules): string | undefined {
  const components = path.split("/");
  const dotGit = components.find(isDotGit);
  if (dotGit !== undefined) return `paths under .git/ are not allowed${alias(dotGit, ".git")}`;
  const modules = components.find(isDotGitmodules);
  if (modules !== undefined) {
    return `the submodule list (.gitmodules) is not changed by the agent${alias(modules, ".gitmodules")}`;
  }
  const problem = pathProblem(path);
  if (problem !== undefined) return `not a canonical repository path: ${problem}`;
  for (let end = 1; end < components.length; end++) {
    const folder = components.slice(0, end).join("/");
    if (rules.tree.files.get(folder)?.mode === "120000") {
      return `${folder} is a symbolic link in the base tree, not a folder`;
    }
  }
  const glob = rules.isProtected(path);
  if (glob !== undefined) {
    return `protected by DIFF_PROTECTED_PATHS ("${glob}"): CI can run or obey it before anyone reviews ` +
      "the change; a person makes this edit, or the setting drops the glob";
  }
  const submodule = submoduleOf(rules.tree, path);
  if (submodule !== undefined) {
    return `${submodule} is a submodule: its files belong to another repository`;
  }
  if (rules.lfs.isLfs(path)) {
    return "stored with Git LFS (.gitattributes filter=lfs): the agent cannot write LFS objects";
  }
  return undefined;
}

/** ` ("git~1" is .git on Windows or macOS)` when `component` is not spelled `name` exactly. */
function alias(component: string, name: string): string {
  return component === name ? "" : ` ("${shownPath(component)}" is ${name} on Windows or macOS file systems)`;
}

/** Why a change set of `files` files and `bytes` bytes, largest file `largest`, is over a cap; or undefined. */
export function overCap(
  counts: { files: number; bytes: number; largest?: { path: string; bytes: number } },
  caps: DiffCaps,
): string | undefined {
  if (counts.files > caps.maxFiles) {
    return `${counts.files} files changed, over DIFF_MAX_FILES (${caps.maxFiles})`;
  }
  if (counts.largest && counts.largest.bytes > caps.maxFileBytes) {
    return `${counts.largest.path} is ${counts.largest.bytes} bytes, over DIFF_MAX_FILE_BYTES (${caps.maxFileBytes})`;
  }
  if (counts.bytes > caps.maxTotalBytes) {
    return `${counts.bytes} bytes changed, over DIFF_MAX_TOTAL_BYTES (${caps.maxTotalBytes})`;
  }
  return undefined;
}
