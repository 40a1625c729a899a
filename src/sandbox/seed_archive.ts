/**
 * Turns a GitHub tarball (gzip, one top folder such as `owner-repo-sha/`) into
 * the seed archive for /workspace: top folder stripped, owner set to the
 * sandbox user, unsafe or irrelevant entries dropped, total size capped.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { SandboxError } from "../errors.ts";
import { concat } from "./output_cap.ts";

/** Options for {@link buildSeedArchive}. */
export interface SeedOptions {
  /** Largest total of file bytes accepted. Default 100 MiB. */
  maxBytes?: number;
  /** Most entries accepted. Default 20000. */
  maxEntries?: number;
}

/**
 * Repacks `tarball` for the sandbox. Regular files, folders and symlinks are
 * kept; `.git/` entries, pax global headers, device nodes, any path that is
 * absolute or climbs with `..`, and any entry below a symlink of the archive
 * (which `tar` would write through the link) are dropped.
 *
 * @throws SandboxError when the archive is unreadable or over a cap.
 */
export async function buildSeedArchive(
  tarball: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: SeedOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 20_000;
  const extract = tar.extract();
  const pack = tar.pack();
  const packed: Uint8Array[] = [];
  pack.on("data", (c: unknown) => packed.push(c as Uint8Array));
  const packDone = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const source = Readable.from(tarball as AsyncIterable<Uint8Array>).pipe(createGunzip());
  source.on("error", (e) => extract.destroy(e));
  source.pipe(extract);
  let total = 0;
  let entries = 0;
  const symlinks = new Set<string>();
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const path = stripTop(header.name);
      const body: Uint8Array[] = [];
      for await (const chunk of entry) body.push(chunk as Uint8Array);
      if (path === undefined || !isKept(header.type) || underSymlink(path, symlinks)) continue;
      entries += 1;
      total += header.size ?? 0;
      if (entries > maxEntries) throw new SandboxError(`snapshot has more than ${maxEntries} entries`);
      if (total > maxBytes) throw new SandboxError(`snapshot exceeds ${maxBytes} bytes`);
      const base = {
        name: path,
        mode: header.mode ?? 0o644,
        uid: 1000,
        gid: 1000,
        mtime: header.mtime ?? new Date(0),
      };
      if (header.type === "directory") pack.entry({ ...base, type: "directory" });
      else if (header.type === "symlink") {
        symlinks.add(path);
        pack.entry({ ...base, type: "symlink", linkname: header.linkname ?? "" });
      } else pack.entry({ ...base, type: "file" }, Buffer.from(concat(body)));
    }
    pack.finalize();
    await packDone;
    return concat(packed);
  } catch (error) {
    pack.destroy();
    if (error instanceof SandboxError) throw error;
    throw new SandboxError("Cannot read the repository snapshot: not a gzip tar archive", { cause: error });
  }
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
