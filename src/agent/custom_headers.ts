/**
 * `ANTHROPIC_CUSTOM_HEADERS`: extra HTTP headers every model request carries, for gateways that
 * authenticate or route by a header of their own. One `Name: value` per line, the format Claude Code
 * reads from the same variable. The values are secrets: they are redacted wherever the configuration
 * or an error is shown.
 *
 * @module
 */

/** RFC 9110 `field-name` (a token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * RFC 9110 `field-value` after trimming: visible ASCII, spaces, tabs and obs-text (0x80–0xFF). Anything
 * else (a control character, a character past U+00FF) is a value `fetch` refuses to send, so every
 * model call would fail.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

/** Headers the HTTP client or the request signature owns; a gateway setting may not replace them. */
const RESERVED = new Set(["host", "content-length", "content-type", "connection", "transfer-encoding"]);

/**
 * Parses `Name: value` lines (blank lines skipped) into a header record, names lower-cased.
 *
 * @throws {Error} naming the line that is not a header (an empty value, or one with a character HTTP
 *   does not allow), a reserved name, or a repeated name; the message never quotes a value.
 */
export function parseCustomHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    const name = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? "" : line.slice(colon + 1).trim();
    const where = `ANTHROPIC_CUSTOM_HEADERS line ${index + 1}`;
    if (colon < 0 || !FIELD_NAME.test(name) || value === "") {
      throw new Error(`${where} must be "Name: value"`);
    }
    if (!FIELD_VALUE.test(value)) {
      throw new Error(
        `${where}: the value holds a character HTTP does not allow in a header (a control character, ` +
          "or one past U+00FF)",
      );
    }
    if (RESERVED.has(name)) throw new Error(`${where}: the ${name} header is set by the HTTP client`);
    if (Object.hasOwn(headers, name)) throw new Error(`${where}: ${name} is given twice`);
    headers[name] = value;
  }
  return headers;
}
