import { describe, expect, test } from "vitest";
import { parseEgressLog } from "../../src/environments/egress_log.ts";

/** One line of the `egress` log format: `%ts.%03tu %tr %>rm %>rd %>rP %Ss/%>Hs %>st %<st`. */
const line = (endMs: number, tookMs: number, rest: string) =>
  `${Math.floor(endMs / 1000)}.${String(endMs % 1000).padStart(3, "0")} ${tookMs} ${rest}`;
const T = 1_764_534_731_000;

describe("squid's access log read into egress entries", () => {
  test("an allowed GET and an allowed CONNECT are one entry each, with the bytes relayed both ways", () => {
    const log = [
      line(T + 10, 5, "GET index 8080 TCP_MISS/200 254 1841"),
      line(T + 900, 800, "CONNECT pypi.org 443 TCP_TUNNEL/200 5120 730112"),
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([
      { host: "index", method: "GET", allowed: true, bytes: 254 + 1841 },
      { host: "pypi.org", method: "CONNECT", allowed: true, bytes: 5120 + 730112 },
    ]);
  });

  test("refusals (another host, another port, CONNECT off 443) are refused, with squid's error page counted", () => {
    const log = [
      line(T + 1, 0, "GET index 22 TCP_DENIED/403 240 3902"),
      line(T + 2, 0, "CONNECT evil.example 443 TCP_DENIED/403 210 3850"),
      line(T + 3, 0, "CONNECT index 8443 TCP_DENIED/403 200 3850"),
      line(T + 4, 1, "GET index 8080 TCP_MISS/200 250 900"),
    ].join("\n");
    expect(parseEgressLog(log).map((e) => [e.host, e.method, e.allowed])).toEqual([
      ["index", "GET", false],
      ["evil.example", "CONNECT", false],
      ["index", "CONNECT", false],
      ["index", "GET", true],
    ]);
  });

  test("entries are in the order requests started, though squid logs a tunnel when it closes", () => {
    const log = [
      line(T + 50, 10, "GET index 8080 TCP_MISS/200 250 900"),
      line(T + 60, 55, "CONNECT pypi.org 443 TCP_TUNNEL/200 500 9000"),
    ].join("\n");
    expect(parseEgressLog(log).map((e) => e.method)).toEqual(["CONNECT", "GET"]);
  });

  test("a request squid answered itself (not a proxy request) is not allowed, and has no host", () => {
    const log = [line(T, 0, "GET - - NONE_NONE/400 60 3500"), line(T + 1, 0, "- - - NONE_NONE/400 79 3503")];
    expect(parseEgressLog(log.join("\n"))).toEqual([
      { host: "", method: "GET", allowed: false, bytes: 3560 },
      { host: "", method: "-", allowed: false, bytes: 3582 },
    ]);
  });

  test("a size squid could not tell is null, and an upper-case host is read in lower case", () => {
    expect(parseEgressLog(line(T, 0, "GET PyPI.org 80 TCP_MISS_ABORTED/000 120 -"))).toEqual([
      { host: "pypi.org", method: "GET", allowed: true, bytes: null },
    ]);
  });

  test("lines that are not the egress format are skipped; a host that is not a host name is emptied", () => {
    const log = [
      "garbage",
      `${"x".repeat(100_000)}`,
      line(T, 0, "GET index 8080 TCP_MISS/200 1 2 trailing"),
      line(T, 0, "GET ev'il 80 TCP_MISS/200 1 2"),
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([{ host: "", method: "GET", allowed: true, bytes: 3 }]);
  });

  test("at most 2 000 entries are kept", () => {
    const request = line(T, 0, "GET index 80 TCP_MISS/200 1 2");
    expect(parseEgressLog(Array(2_500).fill(request).join("\n"))).toHaveLength(2_000);
  });
});
