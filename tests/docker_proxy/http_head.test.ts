/**
 * Request heads (RFC 9112 §2–§5) from raw bytes, without Docker: the request
 * line, the field lines, Host, and the size and count limits. What a second
 * parser could read differently is refused, never repaired.
 */
import { describe, expect, test } from "vitest";
import { MAX_HEAD_BYTES } from "../../src/docker_proxy/http_message.ts";
import { DELIVERIES, parse } from "./http_fixture.ts";

/** A GET of `target` with Host: x and then `fields` (whole lines with their CRLF). */
const get = (fields = "", target = "/_ping") => `GET ${target} HTTP/1.1\r\nHost: x\r\n${fields}\r\n`;
/** A request whose head is exactly `n` bytes (one long header pads it). */
const headOf = (n: number) => get(`X-Pad: ${"p".repeat(n - get("X-Pad: \r\n").length)}\r\n`);
const FIELD_LINES = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join("");

/** [what, raw request, what the parser made of it (checked with toMatchObject)]. */
const ACCEPTED: Array<[string, string, object]> = [
  ["a plain GET", get(), { method: "GET", target: "/_ping", headers: { host: "x" }, body: "" }],
  ["HTTP/1.0 without Host", "GET /_ping HTTP/1.0\r\n\r\n", { method: "GET", headers: {} }],
  ["names in any case, stored lower-case", get("X-MiXeD: v\r\n"), { headers: { "x-mixed": "v" } }],
  ["SP and HTAB around a value are dropped, inside it kept", get("X-A: \t a \t b \t\r\n"), {
    headers: { "x-a": "a \t b" },
  }],
  ["an empty value", get("X-A:\r\n"), { headers: { "x-a": "" } }],
  ["obs-text (bytes 0x80-0xFF) inside a value", get("X-A: caf\xe9\r\n"), { headers: { "x-a": "caf\xe9" } }],
  ["a repeated ordinary header keeps its first value", get("X-A: 1\r\nx-a: 2\r\n"), {
    headers: { "x-a": "1" },
  }],
  [
    "a percent-encoded or dotted target, kept as sent (routes refuse it)",
    get("", "/containers/%2e%2e/x/../json?a=%20"),
    { target: "/containers/%2e%2e/x/../json?a=%20" },
  ],
  ["a head of exactly MAX_HEAD_BYTES", headOf(MAX_HEAD_BYTES), { method: "GET" }],
  ["64 field lines (Host and 63 more)", get(FIELD_LINES(63)), { method: "GET" }],
  ...["127.0.0.1:2375", "[::1]:2375", "docker-proxy", "localhost:", "", "a.b-c_d~e%20f"].map(
    (
      host,
    ): [string, string, object] => [`Host "${host}"`, `GET /_ping HTTP/1.1\r\nHost: ${host}\r\n\r\n`, {
      headers: { host },
    }],
  ),
];

/** [what, raw request, status, message]. */
const REFUSED: Array<[string, string, number, string]> = [
  // The request line: origin form only.
  [
    "absolute form",
    "GET http://docker/_ping HTTP/1.1\r\nHost: docker\r\n\r\n",
    400,
    "malformed request line",
  ],
  ["asterisk form", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  [
    "authority form",
    "CONNECT docker:2375 HTTP/1.1\r\nHost: docker:2375\r\n\r\n",
    400,
    "malformed request line",
  ],
  ["a lower-case method", "get /_ping HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["HTTP/2.0", "GET /_ping HTTP/2.0\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["HTTP/1.2", "GET /_ping HTTP/1.2\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["two spaces", "GET  /_ping HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a tab for a space", "GET\t/_ping HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a space at the end", "GET /_ping HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a space in the target", "GET /_ping x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a NUL in the target", "GET /_ping\x00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a DEL in the target", "GET /_ping\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  ["a non-ASCII target", "GET /caf\xe9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed request line"],
  [
    "an empty line before the request line",
    "\r\nGET /_ping HTTP/1.1\r\nHost: x\r\n\r\n",
    400,
    "malformed request line",
  ],
  ["an empty head", "\r\n\r\n", 400, "malformed request line"],
  // Line endings.
  [
    "a bare LF ending the request line",
    "GET /_ping HTTP/1.1\nHost: x\r\n\r\n",
    400,
    "bare CR or LF in the HTTP head",
  ],
  ["a bare LF between two field lines", get("X-A: 1\nX-B: 2\r\n"), 400, "bare CR or LF in the HTTP head"],
  ["a bare CR inside a value", get("X-A: 1\r2\r\n"), 400, "bare CR or LF in the HTTP head"],
  [
    "only bare LFs: the head never ends",
    "GET /_ping HTTP/1.1\nHost: x\n\n",
    400,
    "connection ended inside the HTTP head",
  ],
  // obs-fold and whitespace.
  ["a folded line (SP)", get("X-A: 1\r\n 2\r\n"), 400, 'malformed header line " 2"'],
  ["a folded line (HTAB)", get("X-A: 1\r\n\t2\r\n"), 400, 'malformed header line "\t2"'],
  ["a folded Content-Length", get("Content-Length:\r\n 2\r\n"), 400, 'malformed header line " 2"'],
  [
    "whitespace before the first field line",
    "GET /_ping HTTP/1.1\r\n Host: x\r\n\r\n",
    400,
    'malformed header line " Host: x"',
  ],
  [
    "whitespace before the colon",
    get("Content-Length : 2\r\n"),
    400,
    'malformed header line "Content-Length : 2"',
  ],
  ["a line without a colon", get("X-A\r\n"), 400, 'malformed header line "X-A"'],
  ["an empty name", get(": v\r\n"), 400, 'malformed header line ": v"'],
  ["a name outside token", get("X(A): v\r\n"), 400, 'malformed header line "X(A): v"'],
  // NUL, CR and other controls in values and names.
  ...(["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f"].map((c): [string, string, number, string] => [
    `control 0x${c.charCodeAt(0).toString(16)} in a value`,
    get(`X-A: a${c}b\r\n`),
    400,
    `malformed header line "X-A: a${c}b"`,
  ])),
  ["a NUL in a name", get("X-\x00A: v\r\n"), 400, 'malformed header line "X-\x00A: v"'],
  // Host (RFC 9112 §3.2).
  ["HTTP/1.1 without Host", "GET /_ping HTTP/1.1\r\n\r\n", 400, "missing Host header"],
  ["two Host lines", get("Host: y\r\n"), 400, "duplicate host header"],
  ...["a b", "x/y", "x@y", "x:port", "[::1", 'x"y'].map((host): [string, string, number, string] => [
    `Host "${host}"`,
    `GET /_ping HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    400,
    `invalid Host header "${host}"`,
  ]),
  // The other framing headers may not repeat either.
  ...["Connection", "Upgrade", "Content-Type"].map((name): [string, string, number, string] => [
    `${name} twice`,
    get(`${name}: a\r\n${name}: a\r\n`),
    400,
    `duplicate ${name.toLowerCase()} header`,
  ]),
  // Limits.
  [
    "a head one byte over MAX_HEAD_BYTES",
    headOf(MAX_HEAD_BYTES + 1),
    431,
    `HTTP head over ${MAX_HEAD_BYTES} bytes`,
  ],
  [
    "a head far over MAX_HEAD_BYTES",
    headOf(3 * MAX_HEAD_BYTES),
    431,
    `HTTP head over ${MAX_HEAD_BYTES} bytes`,
  ],
  [
    "a head that never ends",
    `GET /_ping HTTP/1.1\r\nX-A: ${"a".repeat(MAX_HEAD_BYTES)}`,
    431,
    `HTTP head over ${MAX_HEAD_BYTES} bytes`,
  ],
  ["65 field lines", get(FIELD_LINES(64)), 431, "too many headers"],
  [
    "a connection that ends inside the head",
    "GET /_ping HTTP/1.1\r\nHost: x\r\n",
    400,
    "connection ended inside the HTTP head",
  ],
];

describe.each(DELIVERIES)("request heads, delivered %s", (_how, size) => {
  test.each(ACCEPTED)("accepted: %s", async (_what, raw, parsed) => {
    expect(await parse(raw, size)).toMatchObject(parsed);
  });

  test.each(REFUSED)("refused: %s", async (_what, raw, status, message) => {
    expect(await parse(raw, size)).toEqual({ status, message });
  });
});

test("a client that closes before sending anything is not a request", async () => {
  expect(await parse("")).toBeNull();
});
