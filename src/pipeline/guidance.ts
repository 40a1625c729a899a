/**
 * Repository guidance for the agent, read from the seed archive on the host:
 * `.cursor/rules/*.mdc`, `AGENTS.md`, `CONTRIBUTING.md`. The prompt fences it
 * as untrusted repository guidance.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import tar from "tar-stream";

/** One guidance file: path relative to the repo root, and its text. */
export interface GuidanceFile {
  path: string;
  text: string;
}

const WANTED = [/^AGENTS\.md$/i, /^CONTRIBUTING\.md$/i, /^\.cursor\/rules\/[^/]+\.mdc$/];

/** Largest guidance file kept, in characters; longer ones are cut with a note. */
export const GUIDANCE_MAX_CHARS_PER_FILE = 16_000;

/** Most guidance files kept (the first in path order). */
export const GUIDANCE_MAX_FILES = 12;

/** Finds the guidance files in a seed tar (entries relative to the repo root), in path order. */
export async function readGuidance(seed: Uint8Array): Promise<GuidanceFile[]> {
  const maxChars = GUIDANCE_MAX_CHARS_PER_FILE;
  const found: GuidanceFile[] = [];
  const extract = tar.extract();
  Readable.from([Buffer.from(seed)]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry) chunks.push(chunk as Uint8Array);
    const path = entry.header.name.replace(/^\.\//, "");
    if (entry.header.type !== "file" || !WANTED.some((re) => re.test(path))) continue;
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    found.push({
      path,
      text: text.length > maxChars ? `${text.slice(0, maxChars)}\n[… cut at ${maxChars} characters]` : text,
    });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path)).slice(0, GUIDANCE_MAX_FILES);
}
