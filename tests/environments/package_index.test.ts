import { describe, expect, test } from "vitest";
import { egressAllowlist } from "../../src/environments/egress_allowlist.ts";
import { parsePackageIndex, redactSecrets } from "../../src/environments/package_index.ts";

describe("a package index URL", () => {
  test("keeps its credentials out of the public URL and names them as secrets", () => {
    const index = parsePackageIndex(
      "https://ci-bot:s3cr%40t@Nexus.Example.com:8443/repository/pypi/simple",
      "X",
    );
    expect(index.publicUrl).toBe("https://nexus.example.com:8443/repository/pypi/simple");
    expect(index.host).toBe("nexus.example.com");
    expect(index.secrets).toEqual(["ci-bot:s3cr%40t", "s3cr%40t", "s3cr@t"]);
    expect(index.url).toContain("s3cr%40t");
  });

  test("a token given as the user name alone is the secret", () => {
    const index = parsePackageIndex(
      "https://glpat-123456@gitlab.example/api/v4/projects/1/packages/pypi/simple",
      "X",
    );
    expect(index.secrets).toEqual(["glpat-123456"]);
    expect(index.publicUrl).not.toContain("glpat");
  });

  test("a token in the path (Cloudsmith, Gemfury) or the query is a secret, kept out of the public URL", () => {
    const cloudsmith = parsePackageIndex(
      "https://dl.cloudsmith.io/Ab3dEf9hIj2kLm4n/acme/internal/python/simple/",
      "PIP_INDEX_URL",
    );
    expect(cloudsmith.secrets).toEqual(["Ab3dEf9hIj2kLm4n"]);
    expect(cloudsmith.publicUrl).toBe("https://dl.cloudsmith.io/[redacted]/acme/internal/python/simple/");
    const fury = parsePackageIndex("https://pypi.fury.io/qWeRtYuIoPaSdFgH/acme/", "PIP_EXTRA_INDEX_URL");
    expect(fury.secrets).toEqual(["qWeRtYuIoPaSdFgH"]);
    const query = parsePackageIndex("https://idx.example/simple?token=t0k3n-s3cret&scope=read", "X");
    expect(query.secrets).toEqual(["t0k3n-s3cret"]);
    expect(query.publicUrl).toBe("https://idx.example/simple?token=[redacted]&scope=[redacted]");
    const pipOutput =
      "Looking in indexes: https://dl.cloudsmith.io/Ab3dEf9hIj2kLm4n/acme/internal/python/simple/";
    expect(redactSecrets(pipOutput, cloudsmith.secrets)).toBe(
      "Looking in indexes: https://dl.cloudsmith.io/[redacted]/acme/internal/python/simple/",
    );
  });

  test("path words of Artifactory, Nexus and devpi URLs are not taken for tokens", () => {
    for (
      const url of [
        "https://acme.jfrog.io/artifactory/api/pypi/pypi-virtual-remote/simple",
        "https://nexus.example/repository/python-packages-proxy/simple/",
        "https://devpi.example/root/pypi/+simple/",
      ]
    ) {
      const index = parsePackageIndex(url, "PIP_INDEX_URL");
      expect(index.secrets).toEqual([]);
      expect(index.publicUrl).toBe(url);
    }
  });

  test("without credentials there is nothing to hide", () => {
    expect(parsePackageIndex("https://pypi.org/simple", "PIP_INDEX_URL")).toEqual({
      url: "https://pypi.org/simple",
      publicUrl: "https://pypi.org/simple",
      host: "pypi.org",
      secrets: [],
    });
  });

  test("a URL that is not http(s) with a host is refused, naming the setting", () => {
    expect(() => parsePackageIndex("file:///srv/simple", "PIP_INDEX_URL")).toThrow(
      /PIP_INDEX_URL must be an http/,
    );
    expect(() => parsePackageIndex("not a url", "PIP_EXTRA_INDEX_URL")).toThrow(
      /PIP_EXTRA_INDEX_URL is not a URL/,
    );
    expect(() => parsePackageIndex("http://[::1]/simple", "PIP_INDEX_URL")).toThrow(/must name a host/);
  });

  test("redaction replaces each secret, its encoded form and any user info left in a URL", () => {
    const index = parsePackageIndex("https://bot:p%2Fw@index.example/simple", "X");
    const text = "401 for https://bot:p%2Fw@index.example/simple/x/ (password p/w, encoded p%2Fw) " +
      "and https://other:thing@mirror.example/";
    const redacted = redactSecrets(text, index.secrets);
    expect(redacted).not.toMatch(/p%2Fw|p\/w|other:thing/);
    expect(redacted).toContain("https://[redacted]@index.example/simple/x/");
    expect(redacted).toContain("https://[redacted]@mirror.example/");
  });
});

describe("the egress allowlist", () => {
  const pypi = parsePackageIndex("https://pypi.org/simple", "PIP_INDEX_URL");
  const nexus = parsePackageIndex("https://u:t@nexus.example/simple", "PIP_EXTRA_INDEX_URL");

  test("is PyPI and its file host by default", () => {
    expect(egressAllowlist([pypi], [])).toEqual(["files.pythonhosted.org", "pypi.org"]);
  });

  test("names only a private index's host, plus the extra indexes and SETUP_ALLOWED_HOSTS, sorted once each", () => {
    expect(egressAllowlist([nexus], [])).toEqual(["nexus.example"]);
    expect(egressAllowlist([nexus, pypi], ["GitHub.com", "nexus.example"])).toEqual([
      "files.pythonhosted.org",
      "github.com",
      "nexus.example",
      "pypi.org",
    ]);
  });

  test("names an index served on a port of its own with that port (plain HTTP reaches it and 80 only)", () => {
    const local = parsePackageIndex("http://u:t@idx.example:8080/simple", "PIP_INDEX_URL");
    expect(egressAllowlist([local, nexus], ["github.com"])).toEqual([
      "github.com",
      "idx.example:8080",
      "nexus.example",
    ]);
  });

  test("refuses a host the proxy cannot allow exactly", () => {
    expect(() => egressAllowlist([pypi], ["*.example.com"])).toThrow(/not a host name/);
    expect(() => egressAllowlist([pypi], ["example.com:443"])).toThrow(/not a host name/);
  });
});
