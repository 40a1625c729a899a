/**
 * Request targets (RFC 9112 §3.2, RFC 3986 §3.3, §5.2.4), without Docker: the
 * route table sees paths only as plain characters, so a percent-encoded or
 * dot-segment path, which the engine's router would decode or normalise into
 * another endpoint, is refused rather than matched.
 */
import { describe, expect, test } from "vitest";
import { ProxyRefusal } from "../../src/docker_proxy/refusal.ts";
import { matchRoute } from "../../src/docker_proxy/routes.ts";

const EXEC = "a".repeat(64);

/** [method, target, route name, container/exec/volume reference]. */
const MATCHED: Array<[string, string, string, string | undefined]> = [
  ["GET", "/_ping", "ping", undefined],
  ["HEAD", "/v1.41/_ping", "ping", undefined],
  ["GET", "/containers/abc.d_e-f/json", "container_inspect", "abc.d_e-f"],
  ["POST", `/v1.24/exec/${EXEC}/start`, "exec_start", EXEC],
  ["GET", "/containers/json?filters=%7B%22label%22%3A%5B%5D%7D", "container_list", undefined],
];

/** [method, target, why it is refused]. */
const REFUSED: Array<[string, string, string]> = [
  ["GET", "/containers/%2e%2e/images/json", "percent-encoded dot segment"],
  ["GET", "/containers/%2E%2E/images/json", "upper-case percent-encoding"],
  ["GET", "/containers/abc%2fjson", "percent-encoded slash"],
  ["GET", "/_ping%00", "percent-encoded NUL"],
  ["GET", "/%5fping", "percent-encoded unreserved character"],
  ["GET", "/containers/x/../../images/json", "dot-dot segments"],
  ["GET", "/containers/../_ping", "a dot-dot segment landing on an allowed path"],
  ["GET", "/containers/./abc/json", "a dot segment"],
  ["GET", "/containers/abc/.", "a trailing dot segment"],
  ["DELETE", "/containers/..", "a trailing dot-dot segment"],
  ["GET", "/v1.41/../_ping", "a dot-dot segment after the version"],
  ["GET", "//_ping", "an empty segment"],
  ["GET", "/containers//json", "an empty segment inside"],
  ["GET", "/_ping/", "a trailing slash"],
  ["GET", "/containers\\abc/json", "a backslash"],
  ["GET", "/_ping#x", "a fragment"],
  ["GET", "/_ping;v=1", "a path parameter"],
  ["GET", "/v1.23/containers/json", "an API version below 1.24"],
  ["GET", "/v2.0/_ping", "API version 2"],
  ["POST", "/images/create", "an endpoint outside the table"],
  ["POST", "/_ping", "a method the route does not allow"],
];

describe("request targets", () => {
  test.each(MATCHED)("%s %s matches %s", (method, target, name, ref) => {
    const route = matchRoute(method, target);
    expect(route.name).toBe(name);
    expect(route.ref).toBe(ref);
  });

  test.each(REFUSED)("%s %s is refused (%s)", (method, target) => {
    const path = target.split("?")[0]!;
    let refusal: unknown;
    try {
      matchRoute(method, target);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProxyRefusal);
    expect((refusal as ProxyRefusal).status).toBe(403);
    expect((refusal as ProxyRefusal).message).toMatch(
      new RegExp(`^docker-proxy: ${method} ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not allowed`),
    );
  });

  test("a query is decoded for its checks, never the path", () => {
    expect(matchRoute("GET", "/containers/json?all=1&filters=%7B%7D").query.get("filters")).toBe("{}");
  });
});
