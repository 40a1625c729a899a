/** Reads a folder from disk as git would see it: paths with `/`, bytes, and git modes. */
import { join } from "node:path";

/** Where {@link readFolder} puts what it finds. */
export interface FolderContents {
  /** Path relative to the folder → bytes (a symlink's bytes are its target). */
  files: Map<string, Uint8Array>;
  /** Path → `100755` when any execute bit is set, `120000` for symlinks, else `100644`. */
  modes: Map<string, "100644" | "100755" | "120000">;
  /** Folder or file names skipped wherever they appear. */
  skip: Set<string>;
}

/** Walks `root` recursively into `into`. Needs `--allow-read` on `root`. */
export async function readFolder(root: string, into: FolderContents, prefix = ""): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(join(root, prefix))) entries.push(entry);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (into.skip.has(entry.name)) continue;
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    const full = join(root, path);
    if (entry.isSymlink) {
      into.files.set(path, new TextEncoder().encode(await Deno.readLink(full)));
      into.modes.set(path, "120000");
    } else if (entry.isDirectory) {
      await readFolder(root, into, path);
    } else if (entry.isFile) {
      into.files.set(path, await Deno.readFile(full));
      const mode = (await Deno.stat(full)).mode ?? 0o644;
      into.modes.set(path, (mode & 0o111) !== 0 ? "100755" : "100644");
    }
  }
}
