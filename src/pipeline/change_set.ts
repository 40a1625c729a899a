/**
 * The change set: what the sandbox reports, checked on the host against the
 * base tree and the diff policy. Tracked paths whose bytes or mode changed,
 * tracked paths deleted, and new files `.gitignore` does not match are
 * committed; every path the policy refuses is left out and named, so the
 * rest of the work still ships. The report is untrusted input: nothing in it
 * reaches GitHub unless it is a regular file (`100644`/`100755`) at a
 * canonical path the policy allows.
 */
import type { CommitFile } from "../github/gateway.ts";
import { lfsMatcher } from "../github/git_attributes.ts";
import { gitBlobSha } from "../github/git_object_id.ts";
import { isCanonicalPath, shownPath } from "../github/git_path.ts";
import { readWorkspaceChanges, type ReportedChange, type WorkspaceReport } from "../sandbox/changes.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import type { BaseTree } from "./base_tree.ts";
import {
  type DiffPolicy,
  isFileMode,
  type LeftOutPath,
  modeRefusal,
  overCap,
  pathRefusal,
} from "./diff_policy.ts";
import { protectedPathMatcher } from "./protected_paths.ts";

/** One file to commit, with how it changed. */
export type ChangedFile = CommitFile & { status: "added" | "modified" | "deleted" };

/** A checked change set. */
export interface ChangeSet {
  /** What will be committed. */
  files: ChangedFile[];
  /** Paths left out, each with its reason (shown with `shownPath`: escaped and cut). */
  leftOut: LeftOutPath[];
  /** The same paths as the sandbox reported them, for the workspace restore before the tests. */
  refusedPaths: string[];
  /** New canonical paths `.gitignore` matches, not committed (folders end in `/`). */
  ignored: string[];
  /** Set when the change set is over a cap: the work item cannot be published as it is. */
  overCap?: string;
}

const NOT_A_FILE: Record<Exclude<ReportedChange["kind"], "file">, string> = {
  symlink: "symbolic links are not allowed",
  repository: "nested git repositories are not allowed",
  other: "only regular files can be committed",
};

/** Reads the workspace's change set, checked against the base tree and the diff policy. */
export async function readChangeSet(
  sandbox: Sandbox,
  tree: BaseTree,
  policy: DiffPolicy,
): Promise<ChangeSet> {
  const report = await readWorkspaceChanges(sandbox, {
    tracked: [...tree.files].map(([path, file]) => [path, file.mode, file.sha]),
    maxFiles: policy.maxFiles,
    maxTotalBytes: policy.maxTotalBytes,
  });
  return buildChangeSet(report, tree, policy);
}

/**
 * Checks `report` (untrusted: it comes out of the sandbox) against `tree` and `policy`. Every path
 * goes through {@link pathRefusal}, every file's mode through {@link modeRefusal}; a path refused is
 * left out, shown with {@link shownPath}. Only regular files of mode `100644`/`100755` at canonical,
 * unprotected paths are committed, and only when their blob id or mode differs from the base tree's.
 */
export function buildChangeSet(report: WorkspaceReport, tree: BaseTree, policy: DiffPolicy): ChangeSet {
  const leftOut: LeftOutPath[] = [];
  const refusedPaths: string[] = [];
  const files: ChangedFile[] = [];
  const seen = new Set<string>();
  const rules = {
    tree,
    lfs: lfsMatcher(new Map([...tree.attributes, ...changedAttributes(report)])),
    isProtected: protectedPathMatcher(policy.protectedPaths),
  };
  let missingContent = false;
  for (const change of report.changes) {
    if (seen.has(change.path)) continue;
    seen.add(change.path);
    const tracked = tree.files.get(change.path);
    const refusal = pathRefusal(change.path, rules) ??
      (change.kind === "file" ? undefined : NOT_A_FILE[change.kind]) ??
      (change.status === "deleted" ? undefined : modeRefusal(change.mode));
    if (refusal !== undefined) {
      leftOut.push({ path: shownPath(change.path), reason: refusal });
      refusedPaths.push(change.path);
      continue;
    }
    if (change.status === "deleted") {
      if (tracked) files.push({ path: change.path, status: "deleted" });
      continue;
    }
    if (!change.content || !isFileMode(change.mode)) {
      missingContent = true;
      continue;
    }
    const mode = change.mode;
    // Compared by git's own blob id: an unchanged file is never uploaded, whatever the sandbox said.
    if (tracked && tracked.sha === gitBlobSha(change.content) && tracked.mode === mode) continue;
    files.push({ path: change.path, status: tracked ? "modified" : "added", mode, content: change.content });
  }
  const bytes = files.reduce((sum, f) => sum + (f.content?.byteLength ?? 0), 0);
  const largest = files.reduce<{ path: string; bytes: number } | undefined>(
    (
      max,
      f,
    ) => (f.content && (!max || f.content.byteLength > max.bytes)
      ? { path: f.path, bytes: f.content.byteLength }
      : max),
    undefined,
  );
  const reason = missingContent
    ? overCap({ files: report.files, bytes: report.bytes }, policy) ??
      "the sandbox sent no content for a changed file"
    : overCap({ files: files.length, bytes, ...(largest ? { largest } : {}) }, policy);
  const ignored = report.ignored.filter((path) => isCanonicalPath(path.replace(/\/$/, "")));
  return { files, leftOut, refusedPaths, ignored, ...(reason ? { overCap: reason } : {}) };
}

/** `.gitattributes` files the change set writes at canonical paths, decoded. */
function changedAttributes(report: WorkspaceReport): Array<[string, string]> {
  return report.changes.flatMap((c) =>
    (c.path === ".gitattributes" || c.path.endsWith("/.gitattributes")) && c.content &&
      isCanonicalPath(c.path)
      ? [[c.path, new TextDecoder().decode(c.content)] as [string, string]]
      : []
  );
}
