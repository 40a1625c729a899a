/**
 * The base commit's tree as the host holds it: every tracked file with its
 * mode and blob id, the submodule (gitlink) paths, and which paths Git LFS
 * stores. The change set is measured against it, never against anything the
 * sandbox reports about the base.
 */
import { type LfsMatcher, lfsMatcher } from "../github/git_attributes.ts";

/** A tracked file (or symlink) of the base tree. */
export interface TrackedFile {
  mode: "100644" | "100755" | "120000";
  /** Git's blob id of its bytes. */
  sha: string;
}

/** The base tree. */
export interface BaseTree {
  /** Path → tracked file. */
  files: ReadonlyMap<string, TrackedFile>;
  /** Paths of submodules (gitlinks, mode 160000). */
  gitlinks: readonly string[];
  /** `.gitattributes` path → text, for the LFS rules. */
  attributes: ReadonlyMap<string, string>;
  /** LFS rules of the base tree's `.gitattributes` files. */
  lfs: LfsMatcher;
}

/** Builds a {@link BaseTree}. */
export function baseTree(
  files: ReadonlyMap<string, TrackedFile>,
  gitlinks: readonly string[],
  attributes: ReadonlyMap<string, string>,
): BaseTree {
  return { files, gitlinks, attributes, lfs: lfsMatcher(attributes) };
}

/** The submodule `path` is in or under, if any. */
export function submoduleOf(tree: BaseTree, path: string): string | undefined {
  return tree.gitlinks.find((link) => path === link || path.startsWith(`${link}/`));
}
