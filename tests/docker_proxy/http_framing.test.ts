/**
 * Body framing (RFC 9112 §6, §7.1) from raw bytes, without Docker: where a
 * body ends must never be a matter of opinion, so every framing a second
 * parser could read differently is refused.
 */
import { describe, expect, test } from "vitest";
import { MAX_HEAD_BYTES } from "../../src/docker_proxy/http_message.ts";
import { chunked, DELIVERIES, MAX_BODY, parse, post } from "./http_fixture.ts";

const LONG_TRAILER = `T: ${"v".repeat(8000)}\r\n`;

/** [what, raw request, the body it carries]. */
const ACCEPTED: Array<[string, string, string]> = [
  ["Content-Length", post("Content-Length: 2\r\n", "{}"), "{}"],
  ["Content-Length with leading zeros", post("Content-Length: 002\r\n", "{}"), "{}"],
  ["Content-Length: 0", post("Content-Length: 0\r\n"), ""],
  ["no framing header: no body (a request is never read to the end)", post("", "{}"), ""],
  ["chunked", chunked("1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"), "{}"],
  [
    "a transfer coding name in any case",
    post("Transfer-Encoding: Chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"),
    "{}",
  ],
  [
    "hex sizes in either case, with leading zeros",
    chunked("0000000A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n"),
    "0123456789abcdefghij",
  ],
  [
    "chunk extensions in their grammar, ignored",
    chunked('2;a;b=c;d="x \\" y"\r\n{}\r\n0;last\r\n\r\n'),
    "{}",
  ],
  ["a chunk size line of exactly 1 KiB", chunked(`2;a=${"b".repeat(1020)}\r\n{}\r\n0\r\n\r\n`), "{}"],
  [
    "trailer fields, read and dropped",
    chunked("2\r\n{}\r\n0\r\nX-Checksum: abc\r\nX-Other:\t1 \r\n\r\n"),
    "{}",
  ],
  ["63 trailer lines", chunked(`2\r\n{}\r\n0\r\n${"T: v\r\n".repeat(63)}\r\n`), "{}"],
];

/** [what, raw request, status, message]. */
const REFUSED: Array<[string, string, number, string]> = [
  // Content-Length and Transfer-Encoding together (RFC 9112 §6.1: a server may refuse it; we do).
  ...([
    "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
    "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
  ]
    .map((fields): [string, string, number, string] => [
      `CL+TE (${fields.startsWith("C") ? "CL first" : "TE first"})`,
      post(fields, "2\r\n{}\r\n0\r\n\r\n"),
      400,
      "both Content-Length and Transfer-Encoding",
    ])),
  [
    "a transfer coding other than chunked",
    post("Transfer-Encoding: gzip\r\n"),
    400,
    'unsupported Transfer-Encoding "gzip"',
  ],
  [
    "chunked not alone",
    post("Transfer-Encoding: gzip, chunked\r\n"),
    400,
    'unsupported Transfer-Encoding "gzip, chunked"',
  ],
  [
    "chunked twice",
    post("Transfer-Encoding: chunked, chunked\r\n"),
    400,
    'unsupported Transfer-Encoding "chunked, chunked"',
  ],
  ["identity", post("Transfer-Encoding: identity\r\n"), 400, 'unsupported Transfer-Encoding "identity"'],
  [
    "Transfer-Encoding twice",
    post("Transfer-Encoding: chunked\r\ntransfer-encoding: chunked\r\n"),
    400,
    "duplicate transfer-encoding header",
  ],
  [
    "a VT before chunked",
    post("Transfer-Encoding:\x0bchunked\r\n"),
    400,
    'malformed header line "Transfer-Encoding:\x0bchunked"',
  ],
  [
    "Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1: faulty framing)",
    "POST /volumes/create HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    400,
    "Transfer-Encoding in an HTTP/1.0 request",
  ],
  // Duplicate and conflicting lengths.
  [
    "the same Content-Length twice",
    post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}"),
    400,
    "duplicate content-length header",
  ],
  [
    "two different Content-Lengths",
    post("Content-Length: 2\r\ncontent-length: 40\r\n", "{}"),
    400,
    "duplicate content-length header",
  ],
  ["a Content-Length list", post("Content-Length: 2, 2\r\n", "{}"), 400, 'invalid Content-Length "2, 2"'],
  ...["+2", "-1", "0x2", "2.0", "1e3", "", "2 2", "1234567890123456"].map((
    v,
  ): [string, string, number, string] => [
    `Content-Length "${v}"`,
    post(`Content-Length: ${v}\r\n`, "{}"),
    400,
    `invalid Content-Length "${v}"`,
  ]),
  [
    "a Content-Length ending in NBSP (not whitespace in HTTP)",
    post("Content-Length: 2\xa0\r\n", "{}"),
    400,
    'invalid Content-Length "2\xa0"',
  ],
  [
    "a Content-Length after a VT",
    post("Content-Length:\x0b2\r\n", "{}"),
    400,
    'malformed header line "Content-Length:\x0b2"',
  ],
  [
    "a Content-Length before a FF",
    post("Content-Length: 2\x0c\r\n", "{}"),
    400,
    'malformed header line "Content-Length: 2\x0c"',
  ],
  [
    "a body over the limit",
    post(`Content-Length: ${MAX_BODY + 1}\r\n`),
    413,
    `body of ${MAX_BODY + 1} bytes is over the ${MAX_BODY}-byte limit`,
  ],
  [
    "a body shorter than its Content-Length",
    post("Content-Length: 3\r\n", "{}"),
    400,
    "connection ended inside the body",
  ],
  // Invalid chunk sizes.
  ...["0x2", "-2", "+2", " 2", "2 ", "", "g", "000000002", "2\t", "2 ;a"].map((
    size,
  ): [string, string, number, string] => [
    `chunk size "${size}"`,
    chunked(`${size}\r\n{}\r\n0\r\n\r\n`),
    400,
    "malformed chunk size",
  ]),
  ["a chunk size line ended by a bare LF", chunked("2\n{}\r\n0\r\n\r\n"), 400, "malformed chunk size"],
  [
    "chunks adding up past the limit",
    chunked(`${MAX_BODY.toString(16)}\r\n${"x".repeat(MAX_BODY)}\r\n1\r\nx\r\n0\r\n\r\n`),
    413,
    `body over the ${MAX_BODY}-byte limit`,
  ],
  [
    "a huge chunk size, refused before its data",
    chunked("ffffffff\r\n"),
    413,
    `body over the ${MAX_BODY}-byte limit`,
  ],
  ["chunk data longer than its size", chunked("2\r\n{}x\r\n0\r\n\r\n"), 400, "malformed chunk end"],
  ["chunk data followed by a bare LF", chunked("2\r\n{}\n0\r\n\r\n"), 400, "malformed chunk end"],
  ["a body that ends inside a chunk", chunked("4\r\n{}"), 400, "connection ended inside the body"],
  ["no last chunk", chunked("2\r\n{}\r\n"), 400, "connection ended inside a line"],
  ["no blank line after the last chunk", chunked("2\r\n{}\r\n0\r\n"), 400, "connection ended inside a line"],
  // Chunk extensions outside their grammar, or too long.
  ...[";", ";=v", ";a=", ";a b", ";a=b c", ';a="open', ";a=\x00", ";a\x7f", ";a=é"].map((
    ext,
  ): [string, string, number, string] => [
    `chunk extension "${ext}"`,
    chunked(`2${ext}\r\n{}\r\n0\r\n\r\n`),
    400,
    "malformed chunk size",
  ]),
  [
    "a chunk size line over 1 KiB",
    chunked(`2;a=${"b".repeat(1021)}\r\n{}\r\n0\r\n\r\n`),
    400,
    "line over 1024 bytes",
  ],
  // Trailers are field lines too.
  [
    "a trailer line without a colon",
    chunked("2\r\n{}\r\n0\r\nnot a field\r\n\r\n"),
    400,
    'malformed header line "not a field"',
  ],
  [
    "a folded trailer line",
    chunked("2\r\n{}\r\n0\r\nX-A: 1\r\n 2\r\n\r\n"),
    400,
    'malformed header line " 2"',
  ],
  [
    "a NUL in a trailer",
    chunked("2\r\n{}\r\n0\r\nX-A: a\x00b\r\n\r\n"),
    400,
    'malformed header line "X-A: a\x00b"',
  ],
  [
    "a bare LF inside a trailer line",
    chunked("2\r\n{}\r\n0\r\nX-A: 1\nX-B: 2\r\n\r\n"),
    400,
    'malformed header line "X-A: 1\nX-B: 2"',
  ],
  [
    "64 trailer lines",
    chunked(`2\r\n{}\r\n0\r\n${"T: v\r\n".repeat(64)}\r\n`),
    400,
    "too many trailer lines",
  ],
  [
    "a trailer section over the head limit",
    chunked(`2\r\n{}\r\n0\r\n${LONG_TRAILER.repeat(3)}\r\n`),
    400,
    `line over ${MAX_HEAD_BYTES - 2 * LONG_TRAILER.length} bytes`,
  ],
];

describe.each(DELIVERIES)("body framing, delivered %s", (_how, size) => {
  test.each(ACCEPTED)("accepted: %s", async (_what, raw, body) => {
    expect(await parse(raw, size)).toMatchObject({ method: "POST", target: "/volumes/create", body });
  });

  test.each(REFUSED)("refused: %s", async (_what, raw, status, message) => {
    expect(await parse(raw, size)).toEqual({ status, message });
  });
});
