/**
 * The base snapshot: the workspace a sandbox is seeded with holds exactly the
 * base commit's tree, byte for byte.
 *
 * GitHub's tarball is not the tree: it honours `export-ignore` (paths left
 * out) and `export-subst` (placeholders expanded) from `.gitattributes`. So
 * the recursive tree is read too (one Git Trees call), each tarball file is
 * kept only when git's hash of its bytes is the tree's blob id, and every
 * other tracked blob is fetched by id (Git Blobs API). Submodules (gitlinks)
 * become empty folders, as in a checkout without `git submodule update`.
 */
import { Buffer } from "node:buffer";
import { GitHubError } from "../errors.ts";
import type { BaseCommit, GitHubGateway, RepoRef, TreeEntry } from "../github/gateway.ts";
import { gitBlobSha } from "../github/git_object_id.ts";
import { packSeedArchive, readTarball, type SeedEntry } from "../sandbox/seed_archive.ts";
import { type BaseTree, baseTree, type TrackedFile } from "./base_tree.ts";

/** Caps of a snapshot (`SNAPSHOT_MAX_FILES`, `SNAPSHOT_MAX_BYTES`). */
export interface SnapshotCaps {
  /** Most tracked files. */
  maxFiles: number;
  /** Most bytes of tracked files, summed. */
  maxBytes: number;
}

/** The seed archive, the tree it holds, and the paths fetched as blobs. */
export interface BaseSnapshot {
  seed: Uint8Array;
  tree: BaseTree;
  /** Tracked files the tarball left out or changed, fetched by blob id. */
  fetched: string[];
}

/**
 * Reads the base tree and its snapshot.
 * @throws GitHubError when GitHub cannot be read or the tree is over a cap (the message names the setting).
 */
export async function readBaseSnapshot(
  github: GitHubGateway,
  repo: RepoRef,
  base: BaseCommit,
  caps: SnapshotCaps,
): Promise<BaseSnapshot> {
  const entries = await github.getTree(repo, base.treeSha);
  const blobs = entries.filter((e): e is TreeEntry & { mode: TrackedFile["mode"] } =>
    e.type === "blob" && (e.mode === "100644" || e.mode === "100755" || e.mode === "120000")
  );
  checkCaps(repo, blobs, caps);
  const tracked = new Map(blobs.map((e) => [e.path, e]));
  const tarball = await readTarball(
    await github.downloadTarball(repo, base.sha),
    { maxEntries: caps.maxFiles + entries.length, maxBytes: caps.maxBytes },
    (path) => tracked.has(path),
  );
  const fromTarball = new Map<string, Uint8Array>();
  for (const entry of tarball) {
    const bytes = entry.type === "symlink" ? new TextEncoder().encode(entry.linkname ?? "") : entry.content;
    if (bytes && gitBlobSha(bytes) === tracked.get(entry.path)?.sha) fromTarball.set(entry.path, bytes);
  }
  const missing = blobs.filter((file) => !fromTarball.has(file.path));
  await fetchBlobs(github, repo, missing, fromTarball);
  const fetched = missing.map((file) => file.path);
  const seed: SeedEntry[] = [];
  const attributes = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type === "tree" || entry.type === "commit") {
      seed.push({ path: entry.path, type: "directory", mode: 0o755 });
      continue;
    }
    const file = tracked.get(entry.path);
    if (!file) continue;
    const bytes = fromTarball.get(file.path)!;
    if (file.path === ".gitattributes" || file.path.endsWith("/.gitattributes")) {
      attributes.set(file.path, new TextDecoder().decode(bytes));
    }
    seed.push(
      file.mode === "120000"
        ? { path: file.path, type: "symlink", mode: 0o777, linkname: Buffer.from(bytes).toString("utf8") }
        : { path: file.path, type: "file", mode: file.mode === "100755" ? 0o755 : 0o644, content: bytes },
    );
  }
  const files = new Map(blobs.map((e) => [e.path, { mode: e.mode, sha: e.sha }]));
  const gitlinks = entries.filter((e) => e.type === "commit").map((e) => e.path);
  return { seed: await packSeedArchive(seed), tree: baseTree(files, gitlinks, attributes), fetched };
}

/** Blob fetches in flight at once. */
const BLOB_CONCURRENCY = 8;

/** Fetches `files` by blob id into `into`, checking each blob's bytes hash to its id. */
async function fetchBlobs(
  github: GitHubGateway,
  repo: RepoRef,
  files: TreeEntry[],
  into: Map<string, Uint8Array>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const bytes = await github.getBlob(repo, file.sha);
      if (gitBlobSha(bytes) !== file.sha) {
        throw new GitHubError(
          `Cannot read ${file.path} of ${repo.owner}/${repo.name}: blob ${file.sha} holds other bytes`,
        );
      }
      into.set(file.path, bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, files.length) }, worker));
}

function checkCaps(repo: RepoRef, blobs: TreeEntry[], caps: SnapshotCaps): void {
  const name = `${repo.owner}/${repo.name}`;
  if (blobs.length > caps.maxFiles) {
    throw new GitHubError(
      `The base tree of ${name} has ${blobs.length} files, over SNAPSHOT_MAX_FILES (${caps.maxFiles}); raise SNAPSHOT_MAX_FILES to work on it`,
    );
  }
  const bytes = blobs.reduce((sum, e) => sum + (e.size ?? 0), 0);
  if (bytes > caps.maxBytes) {
    throw new GitHubError(
      `The base tree of ${name} holds ${bytes} bytes, over SNAPSHOT_MAX_BYTES (${caps.maxBytes}); raise SNAPSHOT_MAX_BYTES to work on it`,
    );
  }
}
