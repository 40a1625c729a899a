/**
 * The buffered reader under the HTTP parser, and the engine's side of the
 * parser (response heads and bodies), without Docker: limits hold to the byte
 * however the bytes arrive, and nothing read ahead is lost.
 */
import { describe, expect, test } from "vitest";
import { ByteReader } from "../../src/docker_proxy/byte_reader.ts";
import { parseResponseHead, readBody } from "../../src/docker_proxy/http_message.ts";
import { ProxyRefusal } from "../../src/docker_proxy/refusal.ts";
import { bytes, DELIVERIES, pieces } from "./http_fixture.ts";

const text = (b: Uint8Array) => String.fromCharCode(...b);

/** What `read` returns, or the refusal it throws as [status, message]. */
async function outcome<T>(read: () => Promise<T>): Promise<T | [number, string]> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ProxyRefusal) return [error.status, error.message];
    throw error;
  }
}

describe.each(DELIVERIES)("the byte reader, delivered %s", (_how, size) => {
  const reader = (raw: string) => new ByteReader(pieces(bytes(raw), size));

  test.each([
    ["a head of exactly the limit", "ab\r\n\r\n", 6, "ab\r\n\r\n"],
    ["a head one byte over", "abc\r\n\r\n", 6, [431, "HTTP head over 6 bytes"]],
    ["a head that never ends", "abcdefgh", 6, [431, "HTTP head over 6 bytes"]],
    ["a head cut short", "ab\r\n", 6, [400, "connection ended inside the HTTP head"]],
    ["nothing at all", "", 6, null],
  ])("readHead: %s", async (_what, raw, limit, expected) => {
    expect(await outcome(() => reader(raw).readHead(limit))).toEqual(expected);
  });

  test.each([
    ["a line of exactly the limit", "abcd\r\nrest", 4, "abcd"],
    ["a line one byte over", "abcde\r\n", 4, [400, "line over 4 bytes"]],
    ["an empty line under a zero limit", "\r\nx", 0, ""],
    ["a line that never ends", "abcdefgh", 4, [400, "line over 4 bytes"]],
    ["a line cut short", "ab", 4, [400, "connection ended inside a line"]],
    ["a bare LF is not a line end", "ab\ncd\r\n", 8, "ab\ncd"],
  ])("readLine: %s", async (_what, raw, limit, expected) => {
    expect(await outcome(() => reader(raw).readLine(limit))).toEqual(expected);
  });

  test("what was read ahead is handed on: the next call, or the stream after a hijack", async () => {
    const r = reader("GET / HTTP/1.1\r\n\r\nAB\r\nstdin bytes");
    expect(await r.readHead(64)).toBe("GET / HTTP/1.1\r\n\r\n");
    expect(text(await r.readExactly(2))).toBe("AB");
    expect(await r.readLine(4)).toBe("");
    const ahead = text(r.takeBuffered());
    expect(ahead + text(await r.readToEnd(64))).toBe("stdin bytes");
  });

  test("readToEnd stops at its limit with a 502 (it reads the engine's answers)", async () => {
    expect(await outcome(async () => text(await reader("12345").readToEnd(5)))).toBe("12345");
    expect(await outcome(() => reader("123456").readToEnd(5))).toEqual([502, "upstream answer over 5 bytes"]);
  });

  test("readExactly needs every byte", async () => {
    expect(await outcome(() => reader("abc").readExactly(4))).toEqual([
      400,
      "connection ended inside the body",
    ]);
  });

  test.each([
    ["Content-Length", "Content-Length: 2", "{}xx", "{}"],
    ["chunked", "Transfer-Encoding: chunked", "2\r\n{}\r\n0\r\n\r\n", "{}"],
    ["until the engine closes", "Connection: close", "{}", "{}"],
  ])("an engine answer framed by %s is read whole", async (_what, field, body, expected) => {
    const head = parseResponseHead(`HTTP/1.1 200 OK\r\n${field}\r\n\r\n`);
    expect(text(await readBody(reader(body), head.headers, 64, true))).toBe(expected);
  });
});

describe("response heads from the engine", () => {
  test.each([
    ["HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", 200, "application/json"],
    [
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n",
      101,
      "application/vnd.docker.raw-stream",
    ],
    ["HTTP/1.0 204\r\n\r\n", 204, undefined],
  ])("%j is read", (head, status, type) => {
    const parsed = parseResponseHead(head);
    expect(parsed.status).toBe(status);
    expect(parsed.headers.get("content-type")).toBe(type);
  });

  test.each([
    ["HTTP/1.1 20 OK\r\n\r\n", "the engine sent a malformed response"],
    ["HTTP/2 200\r\n\r\n", "the engine sent a malformed response"],
    ["HTTP/1.1 200 OK\nX: 1\r\n\r\n", "bare CR or LF in the HTTP head"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "duplicate content-length header"],
    ["HTTP/1.1 200 OK\r\n X: 1\r\n\r\n", 'malformed header line " X: 1"'],
    [`HTTP/1.1 200 OK\r\n${"X: 1\r\n".repeat(65)}\r\n`, "too many headers"],
  ])("%j is a 502", (head, message) => {
    let refusal: unknown;
    try {
      parseResponseHead(head);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ status: 502, message });
  });
});
