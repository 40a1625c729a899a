/**
 * The field lines of an HTTP/1.1 head or trailer section (RFC 9112 §2.2, §5;
 * RFC 9110 §5.5), read strictly: lines end in CRLF only; a line is a token
 * name, a colon right after it, and a value with optional SP/HTAB around it
 * and no control character (NUL, CR, LF, VT, FF, …) inside. A folded line
 * (obs-fold), whitespace before the colon, a bare CR or LF, and a repeated
 * framing header are refused, never repaired.
 */
import { ProxyRefusal } from "./refusal.ts";

/** Most field lines in a head (and lines in a trailer section). */
export const MAX_FIELD_LINES = 64;
/** `token` (RFC 9110 §5.6.2). */
export const TOKEN_CHARS = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TOKEN = new RegExp(`^${TOKEN_CHARS}$`);
/** Optional whitespace (OWS) is SP and HTAB only: `String.trim` would also drop VT, FF and NBSP. */
const OWS_AROUND = /^[ \t]+|[ \t]+$/g;
/** Headers whose repetition could make two parsers disagree. */
const SINGLE = new Set([
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "upgrade",
  "content-type",
]);

/**
 * The lines of `head` (as read up to and including its blank line), without their CRLF.
 * @throws ProxyRefusal `status` for a bare CR or LF.
 */
export function splitHead(head: string, status = 400): string[] {
  const text = head.slice(0, -4);
  if (/[\r\n]/.test(text.replaceAll("\r\n", ""))) {
    throw new ProxyRefusal(status, "bare CR or LF in the HTTP head");
  }
  return text.split("\r\n");
}

/**
 * The header fields of `lines`, by lower-case name; a repeated header other
 * than the framing ones keeps its first value.
 * @throws ProxyRefusal 431 (`status` 400) or `status` past {@link MAX_FIELD_LINES} lines; `status` for a
 *   malformed line or a repeated framing header.
 */
export function parseFields(lines: string[], status = 400): Map<string, string> {
  if (lines.length > MAX_FIELD_LINES) {
    throw new ProxyRefusal(status === 400 ? 431 : status, "too many headers");
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const [name, value] = parseFieldLine(line, status);
    if (headers.has(name)) {
      if (SINGLE.has(name)) throw new ProxyRefusal(status, `duplicate ${name} header`);
      continue;
    }
    headers.set(name, value);
  }
  return headers;
}

/**
 * One `name: value` line as its lower-case name and its value without the whitespace around it.
 * @throws ProxyRefusal `status` when the line is not a field line.
 */
export function parseFieldLine(line: string, status = 400): [string, string] {
  const colon = line.indexOf(":");
  const name = line.slice(0, colon);
  const value = line.slice(colon + 1).replace(OWS_AROUND, "");
  if (colon <= 0 || !TOKEN.test(name) || hasControl(value)) {
    throw new ProxyRefusal(status, `malformed header line "${line.slice(0, 40)}"`);
  }
  return [name.toLowerCase(), value];
}

/** True when `value` holds a control character other than horizontal tab. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}
