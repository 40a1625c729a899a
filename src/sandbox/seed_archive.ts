/**
 * The seed archive for /workspace, and the reader of GitHub's tarballs it is
 * built from. A tarball (gzip, one top folder such as `owner-repo-sha/`) is
 * read into entries with the top folder stripped and unsafe or irrelevant
 * entries dropped; entries are packed into a tar owned by the sandbox user.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { SandboxError } from "../errors.ts";
import { concat } from "./output_cap.ts";

/** One entry of a seed archive; paths are relative to /workspace, `/`-separated. */
export interface SeedEntry {
  path: string;
  type: "file" | "directory" | "symlink";
  /** Permission bits, e.g. `0o644` or `0o755`. */
  mode: number;
  /** A file's bytes. */
  content?: Uint8Array;
  /** A symlink's target. */
  linkname?: string;
}

/** Caps of {@link readTarball}; the setting names appear in the errors. */
export interface TarballCaps {
  /** Largest total of file bytes accepted (`SNAPSHOT_MAX_BYTES`). */
  maxBytes: number;
  /** Most entries accepted (`SNAPSHOT_MAX_FILES`). */
  maxEntries: number;
}

/**
 * Reads `tarball`. Regular files, folders and symlinks are kept; `.git/`
 * entries, pax global headers, device nodes, any path that is absolute or
 * climbs with `..`, and any entry below a symlink of the archive (which `tar`
 * would write through the link) are dropped, as are entries `keep` refuses.
 *
 * @throws SandboxError when the archive is unreadable or over a cap.
 */
export async function readTarball(
  tarball: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  caps: TarballCaps,
  keep: (path: string) => boolean = () => true,
): Promise<SeedEntry[]> {
  const extract = tar.extract();
  const source = Readable.from(tarball as AsyncIterable<Uint8Array>).pipe(createGunzip());
  source.on("error", (e) => extract.destroy(e));
  source.pipe(extract);
  const entries: SeedEntry[] = [];
  let total = 0;
  const symlinks = new Set<string>();
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const path = stripTop(header.name);
      const body: Uint8Array[] = [];
      for await (const chunk of entry) body.push(chunk as Uint8Array);
      if (path === undefined || !isKept(header.type) || underSymlink(path, symlinks) || !keep(path)) continue;
      total += header.size ?? 0;
      if (entries.length + 1 > caps.maxEntries) {
        throw new SandboxError(
          `The snapshot has more than ${caps.maxEntries} entries; raise SNAPSHOT_MAX_FILES to work on this repository`,
        );
      }
      if (total > caps.maxBytes) {
        throw new SandboxError(
          `The snapshot is over ${caps.maxBytes} bytes; raise SNAPSHOT_MAX_BYTES to work on this repository`,
        );
      }
      const mode = header.mode ?? 0o644;
      if (header.type === "directory") entries.push({ path, type: "directory", mode });
      else if (header.type === "symlink") {
        symlinks.add(path);
        entries.push({ path, type: "symlink", mode, linkname: header.linkname ?? "" });
      } else entries.push({ path, type: "file", mode, content: concat(body) });
    }
    return entries;
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    throw new SandboxError("Cannot read the repository snapshot: not a gzip tar archive", { cause: error });
  }
}

/** Packs `entries` into a tar for /workspace, every entry owned by the sandbox user (1000:1000). */
export async function packSeedArchive(entries: SeedEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const packed: Uint8Array[] = [];
  pack.on("data", (c: unknown) => packed.push(c as Uint8Array));
  const packDone = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const entry of entries) {
    const base = { name: entry.path, mode: entry.mode, uid: 1000, gid: 1000, mtime: new Date(0) };
    if (entry.type === "directory") pack.entry({ ...base, type: "directory" });
    else if (entry.type === "symlink") {
      pack.entry({ ...base, type: "symlink", linkname: entry.linkname ?? "" });
    } else pack.entry({ ...base, type: "file" }, Buffer.from(entry.content ?? new Uint8Array()));
  }
  pack.finalize();
  await packDone;
  return concat(packed);
}

/** {@link readTarball} then {@link packSeedArchive}: the tarball as it is, ready for /workspace. */
export async function buildSeedArchive(
  tarball: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  caps: TarballCaps,
): Promise<Uint8Array> {
  return await packSeedArchive(await readTarball(tarball, caps));
}

function isKept(type: string | null | undefined): boolean {
  return type === "file" || type === "directory" || type === "symlink" || type === "contiguous-file";
}

/** True when a folder above `path` is a symlink seen earlier in the archive. */
function underSymlink(path: string, symlinks: ReadonlySet<string>): boolean {
  for (let at = path.indexOf("/"); at > 0; at = path.indexOf("/", at + 1)) {
    if (symlinks.has(path.slice(0, at))) return true;
  }
  return false;
}

/** `owner-repo-sha/app/main.py` → `app/main.py`; undefined when the entry must be dropped. */
function stripTop(name: string): string | undefined {
  if (name.startsWith("/")) return undefined;
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  parts.shift();
  if (parts.length === 0) return undefined;
  if (parts.some((p) => p === ".." || p.includes("\0"))) return undefined;
  if (parts[0] === ".git") return undefined;
  return parts.join("/");
}
