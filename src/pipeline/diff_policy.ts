/**
 * The diff policy, checked on the host before anything is written to GitHub:
 * paths that are never the agent's to change, and size and count caps.
 */
import type { LfsMatcher } from "../github/git_attributes.ts";
import { type BaseTree, submoduleOf } from "./base_tree.ts";

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
 * True when `path` is how git names a file: relative, `/`-separated, no empty, `.` or `..`
 * segment, no NUL, no trailing `/` (git's `verify_path`).
 */
export function isCanonicalPath(path: string): boolean {
  if (path === "" || path.includes("\0") || path.startsWith("/") || path.endsWith("/")) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/**
 * Why the agent may not change `path`, or undefined when it may.
 * @param lfs LFS rules of the base tree and of the change set's own `.gitattributes` files.
 */
export function pathRefusal(path: string, tree: BaseTree, lfs: LfsMatcher): string | undefined {
  if (!isCanonicalPath(path)) return "not a canonical repository path";
  const parts = path.split("/");
  // Git refuses `.git` in any case (core.protectNTFS / protectHFS); so do we.
  if (parts.some((part) => part.toLowerCase() === ".git")) return "paths under .git/ are not allowed";
  if (path === ".gitmodules") return "the submodule list (.gitmodules) is not changed by the agent";
  if (path.startsWith(".github/workflows/")) {
    return "CI workflows (.github/workflows/) are not changed by the agent";
  }
  const submodule = submoduleOf(tree, path);
  if (submodule !== undefined) {
    return `${submodule} is a submodule: its files belong to another repository`;
  }
  if (lfs.isLfs(path)) {
    return "stored with Git LFS (.gitattributes filter=lfs): the agent cannot write LFS objects";
  }
  return undefined;
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
