/**
 * Puts the paths a change set leaves out back to the base tree before the
 * tests whose result the host trusts: a changed or deleted base file gets its
 * base bytes and mode back, a new left-out path is removed, and so is every
 * new path `.gitignore` matches. The base bytes come from the host's own seed
 * archive, checked against the base tree's blob ids; nothing is read back
 * from the sandbox.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { gitBlobSha } from "../github/git_object_id.ts";
import { concat } from "../sandbox/output_cap.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { type RestoredPath, type RestoreFailure, restoreWorkspace } from "../sandbox/workspace_restore.ts";
import type { BaseSnapshot } from "./base_snapshot.ts";

/**
 * Restores `paths` (as the sandbox reported them; see `ChangeSet.refusedPaths`) to `snapshot`'s
 * tree in `sandbox`, and removes new ignored paths. Returns what could not be restored.
 * @throws SandboxError when the restore program fails.
 */
export async function restoreLeftOutPaths(
  sandbox: Sandbox,
  snapshot: Pick<BaseSnapshot, "seed" | "tree">,
  paths: readonly string[],
): Promise<RestoreFailure[]> {
  const wanted = new Set(paths.filter((path) => snapshot.tree.files.has(path)));
  const bases = wanted.size > 0 ? await readSeedFiles(snapshot.seed, wanted) : new Map();
  const entries: RestoredPath[] = paths.map((path) => {
    const tracked = snapshot.tree.files.get(path);
    const content = bases.get(path);
    return tracked && content && gitBlobSha(content) === tracked.sha
      ? { path, base: { mode: tracked.mode, content } }
      : { path };
  });
  const unmatched = entries.filter((e) => snapshot.tree.files.has(e.path) && !e.base);
  const failed = await restoreWorkspace(sandbox, entries);
  // A base file the seed does not hold as the tree has it is removed, never guessed: it is named.
  return [
    ...failed,
    ...unmatched.map((e) => ({ path: e.path, error: "its base content is not in the seed" })),
  ];
}

/** The bytes of `wanted` files of the seed archive `seed` (a symlink's bytes are its target). */
export async function readSeedFiles(
  seed: Uint8Array,
  wanted: ReadonlySet<string>,
): Promise<Map<string, Uint8Array>> {
  const extract = tar.extract();
  Readable.from([Buffer.from(seed)]).pipe(extract);
  const found = new Map<string, Uint8Array>();
  for await (const entry of extract) {
    const body: Uint8Array[] = [];
    for await (const chunk of entry) body.push(chunk as Uint8Array);
    const { name, type, linkname } = entry.header;
    if (!wanted.has(name)) continue;
    if (type === "symlink") found.set(name, new TextEncoder().encode(linkname ?? ""));
    else if (type === "file") found.set(name, concat(body));
  }
  return found;
}
