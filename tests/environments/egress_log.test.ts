import { describe, expect, test } from "vitest";
import { parseEgressLog } from "../../src/environments/egress_log.ts";

const line = (level: string, message: string) => `${level.padEnd(10)}Nov 30 20:32:11.914 [7]: ${message}`;

describe("tinyproxy's log read into egress entries", () => {
  test("an allowed GET and an allowed CONNECT are one entry each, in order, without sizes", () => {
    const log = [
      line("NOTICE", "Initializing tinyproxy ..."),
      line("CONNECT", "Connect (file descriptor 4): 172.18.0.3"),
      line("CONNECT", "Request (file descriptor 4): GET http://index:8080/simple/tinyjwt/ HTTP/1.1"),
      line("INFO", "No upstream proxy for index"),
      line("CONNECT", 'Established connection to host "index" using file descriptor 5.'),
      line("CONNECT", "Request (file descriptor 4): CONNECT PyPI.org:443 HTTP/1.1"),
      line("INFO", "Closed connection between local client (fd:4) and remote client (fd:5)"),
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([
      { host: "index", method: "GET", allowed: true, bytes: null },
      { host: "pypi.org", method: "CONNECT", allowed: true, bytes: null },
    ]);
  });

  test("a URL the filter refuses (another port of an allowed host, another host) is refused", () => {
    const log = [
      line("CONNECT", "Request (file descriptor 4): GET http://index:22/ HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered url "http://index:22/"'),
      line("CONNECT", "Request (file descriptor 4): CONNECT evil.example:443 HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered url "evil.example:443"'),
      line("CONNECT", "Request (file descriptor 6): GET http://index:8080/simple/ HTTP/1.1"),
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([
      { host: "index", method: "GET", allowed: false, bytes: null },
      { host: "evil.example", method: "CONNECT", allowed: false, bytes: null },
      { host: "index", method: "GET", allowed: true, bytes: null },
    ]);
  });

  test("a filtered domain and a CONNECT to a port other than 443 are refused", () => {
    const log = [
      line("CONNECT", "Request (file descriptor 4): GET http://other:8080/ HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered domain "other"'),
      line("CONNECT", "Request (file descriptor 4): CONNECT index:8443 HTTP/1.1"),
      line("INFO", "Refused CONNECT method on port 8443"),
      line("CONNECT", "Request (file descriptor 4): CONNECT evil.example:443 HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered domain "evil.example"'),
      line("CONNECT", "Request (file descriptor 6): GET http://index:8080/simple/ HTTP/1.1"),
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([
      { host: "other", method: "GET", allowed: false, bytes: null },
      { host: "index", method: "CONNECT", allowed: false, bytes: null },
      { host: "evil.example", method: "CONNECT", allowed: false, bytes: null },
      { host: "index", method: "GET", allowed: true, bytes: null },
    ]);
  });

  test("a refusal goes to the latest undecided request for its host, when requests interleave", () => {
    const log = [
      line("CONNECT", "Request (file descriptor 4): GET http://other/a HTTP/1.1"),
      line("CONNECT", "Request (file descriptor 5): GET http://index/b HTTP/1.1"),
      line("CONNECT", "Request (file descriptor 6): GET http://other/c HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered domain "other"'),
      line("NOTICE", 'Proxying refused on filtered domain "other"'),
    ].join("\n");
    expect(parseEgressLog(log).map((e) => [e.host, e.allowed])).toEqual([
      ["other", false],
      ["index", true],
      ["other", false],
    ]);
  });

  test("credentials in a request line never reach the entry, nor does the path", () => {
    const log = line(
      "CONNECT",
      "Request (file descriptor 4): GET http://user:tok3n@index:8080/simple/x/?k=tok3n HTTP/1.1",
    );
    const entries = parseEgressLog(log);
    expect(entries).toEqual([{ host: "index", method: "GET", allowed: true, bytes: null }]);
    expect(JSON.stringify(entries)).not.toContain("tok3n");
  });

  test("lines that are not tinyproxy's, and a request to the proxy itself, are read safely", () => {
    const log = [
      "garbage",
      `${"x".repeat(100_000)}`,
      line("CONNECT", "Request (file descriptor 4): GET /stats HTTP/1.1"),
      line("NOTICE", 'Proxying refused on filtered domain "nobody-asked"'),
      'CONNECT   Nov 30 20:32:11.914 [7]: Request (file descriptor 4): GET http://a"b HTTP/1.1 trailing',
    ].join("\n");
    expect(parseEgressLog(log)).toEqual([{ host: "", method: "GET", allowed: true, bytes: null }]);
  });

  test("at most 2 000 entries are kept", () => {
    const request = line("CONNECT", "Request (file descriptor 4): GET http://index/simple/ HTTP/1.1");
    expect(parseEgressLog(Array(2_500).fill(request).join("\n"))).toHaveLength(2_000);
  });
});
