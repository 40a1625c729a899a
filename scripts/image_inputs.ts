import { concat } from "../src/sandbox/output_cap.ts";

/** One file that goes into the sandbox image. */
export interface InputFile {
  /** Path relative to the image directory, with `/` separators. */
  path: string;
  content: Uint8Array;
}

/**
 * The SHA-256 (hex) of a set of files: sorted by path, each framed as
 * `path NUL byte-length NUL content`, so renaming or moving bytes between
 * files changes the hash and the order the files were listed in does not.
 */
export async function hashInputFiles(files: readonly InputFile[]): Promise<string> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of sorted) {
    parts.push(encoder.encode(`${file.path}\0${file.content.byteLength}\0`), file.content);
  }
  const digest = await crypto.subtle.digest("SHA-256", concat(parts));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Folders under the image directory that no build reads: the tests of the
 * in-image programs (run against the built image, not shipped in it) and
 * Python's caches. Editing them needs no rebuild.
 */
export const NOT_IMAGE_INPUTS: readonly string[] = ["programs/tests"];
const CACHE_FOLDERS = new Set(["__pycache__", ".pytest_cache"]);

/** True when the folder at `path` (relative, `/` separators) holds no image input. */
export function isSkippedFolder(path: string): boolean {
  return NOT_IMAGE_INPUTS.includes(path) || CACHE_FOLDERS.has(path.slice(path.lastIndexOf("/") + 1));
}

/**
 * Every regular file under `dir` (recursively), with paths relative to it,
 * except those in {@link isSkippedFolder} folders. Needs `--allow-read`.
 */
export async function readInputFiles(dir: string): Promise<InputFile[]> {
  const files: InputFile[] = [];
  async function walk(relative: string): Promise<void> {
    for await (const entry of Deno.readDir(relative === "" ? dir : `${dir}/${relative}`)) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory && !isSkippedFolder(path)) await walk(path);
      else if (entry.isFile) files.push({ path, content: await Deno.readFile(`${dir}/${path}`) });
    }
  }
  await walk("");
  return files;
}

/**
 * The inputs hash of the image directory `dir`: {@link hashInputFiles} over
 * {@link readInputFiles}. Images carry it in the `dev.backend-agent.image-inputs`
 * label, so an unchanged directory needs no rebuild. Needs `--allow-read`.
 */
export async function computeImageInputsHash(dir: string): Promise<string> {
  return hashInputFiles(await readInputFiles(dir));
}
