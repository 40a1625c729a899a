/**
 * The manifest files picked out of a base snapshot's seed archive (the tar `readBaseSnapshot` packs for
 * /workspace), to feed `readEnvironmentSpec`. Kept, as regular files only (a symlink is never followed):
 * - the files the reader starts from, whatever their size (the reader refuses one over the bound by name):
 *   `.backend-agent/setup.sh`, `pyproject.toml`, `uv.lock`, `poetry.lock`, `requirements.txt`,
 *   `requirements-*.txt`, `requirements/*.txt`;
 * - every other `.txt` or `.in` file up to `limits.maxFileBytes`, as a requirements file may include it;
 * - every file a local install builds from ({@link isInstallInput}: `setup.py`, `setup.cfg`,
 *   `pyproject.toml` in any folder, and package archives), whatever its size, to be hashed into the key
 *   (the seed is in memory already, so keeping them at most doubles it).
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { SETUP_SCRIPT } from "./environment_spec.ts";
import type { ManifestLimits } from "./manifest_limits.ts";
import { POETRY_LOCK } from "./poetry_lock.ts";
import { PYPROJECT } from "./pyproject.ts";
import { isInstallInput } from "./install_inputs.ts";
import { isRequirementsFileName } from "./requirement_files.ts";
import { UV_LOCK } from "./uv_lock.ts";

/** True for the files the reader starts from. */
export function isManifestFileName(path: string): boolean {
  return path === SETUP_SCRIPT || path === PYPROJECT || path === UV_LOCK || path === POETRY_LOCK ||
    isRequirementsFileName(path);
}

/** True for files a requirements file may include. */
function isIncludable(path: string): boolean {
  return /\.(txt|in)$/.test(path);
}

/**
 * Reads the seed archive `seed` (an uncompressed tar, paths relative to the repository root) and returns
 * its manifest files: repo-relative path → bytes.
 * @throws EnvironmentSpecError when `seed` is not a readable tar archive.
 */
export async function manifestFilesFrom(
  seed: Uint8Array,
  limits: ManifestLimits,
): Promise<Map<string, Uint8Array>> {
  const extract = tar.extract();
  Readable.from([Buffer.from(seed.buffer, seed.byteOffset, seed.byteLength)]).pipe(extract);
  const files = new Map<string, Uint8Array>();
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      const path = name.replace(/^\.\//, "").replace(/\/$/, "");
      const wanted = (type === "file" || type === "contiguous-file") &&
        (isManifestFileName(path) || isInstallInput(path) ||
          (isIncludable(path) && (size ?? 0) <= limits.maxFileBytes));
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry) if (wanted) chunks.push(chunk as Uint8Array);
      if (wanted) files.set(path, new Uint8Array(Buffer.concat(chunks)));
    }
  } catch (error) {
    throw new EnvironmentSpecError(
      "Cannot read the snapshot's manifest files: the seed is not a tar archive",
      {
        cause: error,
      },
    );
  }
  return files;
}
