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

/** Options for {@link readGuidance}. */
export interface GuidanceOptions {
  /** Largest file kept, in characters (longer ones are cut with a note). Default 16 000. */
  maxCharsPerFile?: number;
  /** Most files kept. Default 12. */
  maxFiles?: number;
}

/** Finds the guidance files in a seed tar (entries relative to the repo root), in path order. */
export async function readGuidance(seed: Uint8Array, options: GuidanceOptions = {}): Promise<GuidanceFile[]> {
  const maxChars = options.maxCharsPerFile ?? 16_000;
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
  return found.sort((a, b) => a.path.localeCompare(b.path)).slice(0, options.maxFiles ?? 12);
}
