/**
 * The cache key of an environment: SHA-256 (hex) of everything that decides what setup installs —
 * the base image's id, each manifest file (path and the SHA-256 of its bytes, which stands for the
 * bytes; the setup script is one of them), the install plan read from them, the egress allowlist,
 * and the index URLs without their credentials. Credentials change nothing that is installed, so
 * rotating a token keeps the cache; they never reach the key, which is a label and a tag.
 */
import { createHash } from "node:crypto";
import type { EnvironmentSpec } from "../contracts/environment.ts";

/** Bumped when what a key covers changes, so older images stop matching. */
const KEY_VERSION = 1;

/** What {@link environmentKey} hashes. */
export interface KeyInput {
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
