/**
 * The bounds of reading a repository's manifest files on the host. They are fixed bounds of the reader,
 * not settings: real manifests sit far below them, and they keep a hostile repository from making the
 * host read, parse or follow without end.
 */

/** Bounds of {@link readEnvironmentSpec} and {@link manifestFilesFrom}. */
export interface ManifestLimits {
  /** Largest manifest file read, in bytes (a big `uv.lock` is about 1 MiB). */
  maxFileBytes: number;
  /** Most `-r`/`-c` includes followed in a chain from a requirements file. */
  maxIncludeDepth: number;
  /** Most requirement files read in all (found by name and reached by includes). */
  maxRequirementFiles: number;
  /** Most packages a lock file may pin. */
  maxLockedPackages: number;
  /**
   * Most characters of pip arguments one plan may hold (a lock's pinned requirements with their markers;
   * a marker on an edge near the root is repeated on every package below it).
   */
  maxInstallChars: number;
}

/** The bounds the service reads manifests with. */
export const MANIFEST_LIMITS: ManifestLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxIncludeDepth: 8,
  maxRequirementFiles: 64,
  maxLockedPackages: 5000,
  maxInstallChars: 4 * 1024 * 1024,
};
