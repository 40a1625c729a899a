/**
 * The cache key of an environment: SHA-256 (hex) of the repository it is for and everything that
 * decides what setup installs — the base image's id, each manifest file (path and the SHA-256 of its bytes, which stands for the
 * bytes; the setup script is one of them, and so are the `setup.py`, `setup.cfg` and archives a local
 * install builds from), for a setup script the whole base tree (the script may read any file), the
 * install plan, the egress allowlist, and the index URLs without their credentials. The repository
 * is in the key so that an image built by one repository's code is never handed to another one
 * with the same manifests. Credentials change nothing that is installed, so
 * rotating a token keeps the cache; they never reach the key, which is a label and a tag.
 */
import { createHash } from "node:crypto";
import type { EnvironmentSpec } from "../contracts/environment.ts";

/** Bumped when what a key covers changes, so older images stop matching. */
const KEY_VERSION = 2;

/** What {@link environmentKey} hashes. */
export interface KeyInput {
  /** `owner/name` (compared lower-cased, as GitHub does). */
  repo: string;
  /** SHA-256 (hex) of the base tree (its seed archive) when setup runs the repository's script, else null. */
  tree: string | null;
  /** The base image's id (`sha256:…`), not its tag: a rebuilt base gives new keys. */
  baseImageId: string;
  spec: Pick<EnvironmentSpec, "manifests" | "plan">;
  allowlist: readonly string[];
  /** `PIP_INDEX_URL` without credentials. */
  indexUrl: string;
  /** `PIP_EXTRA_INDEX_URL` entries without credentials, in order. */
  extraIndexUrls: readonly string[];
}

/** The key, 64 lower-case hex characters. */
export function environmentKey(input: KeyInput): string {
  const canonical = JSON.stringify([
    KEY_VERSION,
    input.repo.toLowerCase(),
    input.tree,
    input.baseImageId,
    [...input.spec.manifests].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
      .map((m) => [m.path, m.sha256]),
    input.spec.plan,
    [...input.allowlist].sort(),
    input.indexUrl,
    input.extraIndexUrls,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
