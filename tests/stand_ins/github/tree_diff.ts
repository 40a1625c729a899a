/** The files that differ between two trees, with line counts: what commit and pull request shapes report. */
import type { ObjectStore } from "./git_objects.ts";
import { flattenTree, type PathEntry } from "./tree_paths.ts";

/** One changed path. */
export interface FileChange {
  path: string;
  status: "added" | "removed" | "modified";
  /** The blob after the change (before it, for a removal). */
  sha: string;
  additions: number;
  deletions: number;
}

/** The lines of a text blob (none for a binary one, which GitHub counts as 0 additions and deletions). */
function lines(store: ObjectStore, sha: string | undefined): string[] {
  const bytes = sha ? store.blob(sha) ?? new Uint8Array() : new Uint8Array();
  if (bytes.byteLength === 0 || bytes.includes(0)) return [];
  const text = new TextDecoder().decode(bytes);
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

/** Added and removed lines, counted as a multiset difference (order ignored). */
function counts(store: ObjectStore, before: string | undefined, after: string | undefined) {
  const left = new Map<string, number>();
  for (const line of lines(store, before)) left.set(line, (left.get(line) ?? 0) + 1);
  let additions = 0;
  for (const line of lines(store, after)) {
    const count = left.get(line) ?? 0;
    if (count > 0) left.set(line, count - 1);
    else additions++;
  }
  let deletions = 0;
  for (const count of left.values()) deletions += count;
  return { additions, deletions };
}

/** Paths whose entry differs from `beforeTree` (undefined: an empty tree) to `afterTree`, sorted. */
export function treeDiff(
  store: ObjectStore,
  beforeTree: string | undefined,
  afterTree: string,
): FileChange[] {
  const before = beforeTree ? flattenTree(store, beforeTree) : new Map<string, PathEntry>();
  const after = flattenTree(store, afterTree);
  const changes: FileChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(path), now = after.get(path);
    if (old?.sha === now?.sha && old?.mode === now?.mode) continue;
    const status = !old ? "added" : !now ? "removed" : "modified";
    changes.push({ path, status, sha: (now ?? old)!.sha, ...counts(store, old?.sha, now?.sha) });
  }
  return changes;
}
