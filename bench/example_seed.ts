/**
 * The example repo as production sees it: packed with tar-fs under a GitHub-style
 * top folder, gzipped like GitHub's tarball endpoint, then repacked by
 * `buildSeedArchive` (the tarball as it is; the runner also checks it against the tree).
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import tarFs from "tar-fs";
import { buildSeedArchive } from "../src/sandbox/seed_archive.ts";

/** Builds the seed archive of `folder` (default `examples/task_service`). */
export async function exampleSeed(folder = "examples/task_service"): Promise<Uint8Array> {
  await Deno.stat(folder); // packing a missing folder hangs putArchive later: fail here instead
  const top = "acme-task-service-0123456";
  const pack = tarFs.pack(folder, {
    map: (header) => ({ ...header, name: `${top}/${header.name}` }),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of pack) chunks.push(chunk as Uint8Array);
  const tarball = new Uint8Array(gzipSync(Buffer.concat(chunks)));
  return await buildSeedArchive(
    (async function* () {
      yield tarball;
    })(),
    { maxBytes: 100 * 1024 * 1024, maxEntries: 100_000 },
  );
}
