/**
 * The chunked transfer coding (RFC 9112 §7.1), decoded strictly: a size of 1
 * to 8 hex digits (no sign, prefix or whitespace); chunk extensions only in
 * their grammar (`;name` or `;name=value`, value a token or quoted string),
 * inside a 1 KiB size line, and ignored; CRLF right after each chunk's data;
 * trailer fields read like header fields, bounded like a head, and discarded
 * (they are never forwarded).
 */
import { concat } from "../sandbox/output_cap.ts";
import type { ByteReader } from "./byte_reader.ts";
import { MAX_FIELD_LINES, parseFieldLine, TOKEN_CHARS } from "./field_lines.ts";
import { badRequest, ProxyRefusal } from "./refusal.ts";

/** `quoted-string` (RFC 9110 §5.6.4), in latin1 text. */
const QUOTED = String.raw`"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"`;
const SIZE_LINE = new RegExp(
  `^([0-9a-fA-F]{1,8})(?:;${TOKEN_CHARS}(?:=(?:${TOKEN_CHARS}|${QUOTED}))?)*$`,
);
/** Longest chunk-size line (size and extensions), bytes. */
const MAX_SIZE_LINE_BYTES = 1024;

/**
 * Reads a chunked body up to and including its trailer section.
 * @param limit largest decoded body, bytes.
 * @param maxTrailerBytes largest trailer section, bytes (the head limit).
 * @throws ProxyRefusal 400 (malformed), 413 (over `limit`).
 */
export async function readChunked(
  reader: ByteReader,
  limit: number,
  maxTrailerBytes: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const size = SIZE_LINE.exec(await reader.readLine(MAX_SIZE_LINE_BYTES));
    if (!size) throw badRequest("malformed chunk size");
    const n = parseInt(size[1]!, 16);
    if (n === 0) break;
    total += n;
    if (total > limit) throw new ProxyRefusal(413, `body over the ${limit}-byte limit`);
    parts.push(await reader.readExactly(n));
    if (await reader.readLine(2) !== "") throw badRequest("malformed chunk end");
  }
  let budget = maxTrailerBytes;
  for (let i = 0; i < MAX_FIELD_LINES; i++) {
    const line = await reader.readLine(budget);
    if (line === "") return concat(parts);
    parseFieldLine(line);
    budget = Math.max(0, budget - line.length - 2);
  }
  throw badRequest("too many trailer lines");
}
