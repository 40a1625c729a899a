/** Git's object ids, computed on the host so file contents are compared as git compares them. */
import { createHash } from "node:crypto";

/**
 * The id git gives a blob holding `bytes`: SHA-1 of `blob <size>\0` followed by the bytes
 * (Git Book, "Git Objects"). A symlink's blob holds its target path.
 */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}
