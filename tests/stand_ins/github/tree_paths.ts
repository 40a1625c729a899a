/**
 * Trees as flat `path → entry` maps and back: what `POST /git/trees` with
 * `base_tree` needs, and what the stand-in's inspection helpers read.
 */
import type { GitMode, ObjectStore, TreeEntry } from "./git_objects.ts";

/** A non-tree entry at a full path. */
export interface PathEntry {
  mode: GitMode;
  type: "blob" | "commit";
  sha: string;
}

/** Every blob/commit entry under `treeSha`, keyed by full path. */
export function flattenTree(store: ObjectStore, treeSha: string, prefix = ""): Map<string, PathEntry> {
  const flat = new Map<string, PathEntry>();
  for (const entry of store.tree(treeSha) ?? []) {
    const path = prefix + entry.name;
    if (entry.type === "tree") {
      for (const [inner, value] of flattenTree(store, entry.sha, `${path}/`)) flat.set(inner, value);
    } else {
      flat.set(path, { mode: entry.mode, type: entry.type, sha: entry.sha });
    }
  }
  return flat;
}

/** Writes the nested trees for a flat map and returns the root tree sha (empty dirs vanish, as in git). */
export function buildTree(store: ObjectStore, flat: Map<string, PathEntry>): string {
  const files: TreeEntry[] = [];
  const dirs = new Map<string, Map<string, PathEntry>>();
  for (const [path, entry] of flat) {
    const slash = path.indexOf("/");
    if (slash === -1) {
      files.push({ name: path, ...entry });
      continue;
    }
    const dir = path.slice(0, slash);
    const inner = dirs.get(dir) ?? new Map<string, PathEntry>();
    inner.set(path.slice(slash + 1), entry);
    dirs.set(dir, inner);
  }
  for (const [name, inner] of dirs) {
    files.push({ name, mode: "040000", type: "tree", sha: buildTree(store, inner) });
  }
  return store.writeTree(files);
}
