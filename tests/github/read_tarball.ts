/** Reads a gzip tarball stream into its entries, for tests. */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";

/** One member of a tarball. */
export interface TarEntry {
  name: string;
  /** `file`, `directory`, `symlink`, … (tar-stream's names). */
  type: string;
  mode: number;
  /** The bytes as UTF-8 text. */
  content: string;
  linkname?: string;
}

/** Every member of the gzip tarball `stream`, in order. */
export async function readTarball(stream: ReadableStream<Uint8Array>): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const unpack = extract();
  Readable.fromWeb(stream as Parameters<typeof Readable.fromWeb>[0]).pipe(createGunzip()).pipe(unpack);
  for await (const entry of unpack) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry) chunks.push(chunk as Uint8Array);
    const header = entry.header;
    entries.push({
      name: header.name,
      type: header.type ?? "file",
      mode: header.mode ?? 0,
      content: new TextDecoder().decode(Buffer.concat(chunks)),
      ...(header.linkname ? { linkname: header.linkname } : {}),
    });
  }
  return entries;
}
