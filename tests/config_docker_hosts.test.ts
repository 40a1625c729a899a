import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";
import { redactedConfig } from "../src/config_redacted.ts";

const BASE = { ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true", GITHUB_TOKEN: "ghp_x" };

describe("DOCKER_HOSTS in the config", () => {
  let certs: string;

  beforeAll(async () => {
    certs = await Deno.makeTempDir({ prefix: "docker-certs-" });
    for (const name of ["ca.pem", "cert.pem", "key.pem"]) {
      await Deno.writeTextFile(`${certs}/${name}`, `shared ${name}`);
    }
    await Deno.mkdir(`${certs}/engine-b.internal:2376`);
    for (const name of ["ca.pem", "cert.pem", "key.pem"]) {
      await Deno.writeTextFile(`${certs}/engine-b.internal:2376/${name}`, `engine-b ${name}`);
    }
    await Deno.mkdir(`${certs}/engine-c.internal:2376`);
    await Deno.writeTextFile(`${certs}/engine-c.internal:2376/ca.pem`, "engine-c ca.pem");
  });

  afterAll(async () => {
    await Deno.remove(certs, { recursive: true });
  });

  test("without DOCKER_HOSTS there is no pool: DOCKER_HOST alone, as before", () => {
    const config = loadConfig({ ...BASE, DOCKER_HOST: "tcp://10.0.0.5:2375" });
    expect(config.dockerHosts).toBeUndefined();
    expect(config.dockerHost).toBe("tcp://10.0.0.5:2375");
  });

  test("a comma list of unix:// and tcp:// engines, in order, with the cap and the ping interval", () => {
    const config = loadConfig({
      ...BASE,
      DOCKER_HOSTS: " unix:///var/run/docker.sock, tcp://engine-b.internal:2375 ,tcp://[fd00::5]:2375",
      SANDBOXES_PER_HOST: "3",
    });
    expect(config.dockerHosts).toEqual({
      endpoints: [
        { kind: "unix", url: "unix:///var/run/docker.sock", socketPath: "/var/run/docker.sock" },
        { kind: "tcp", url: "tcp://engine-b.internal:2375", host: "engine-b.internal", port: 2375 },
        { kind: "tcp", url: "tcp://[fd00::5]:2375", host: "fd00::5", port: 2375 },
      ],
      sandboxesPerHost: 3,
      pingIntervalMs: 5_000,
    });
  });

  test("a malformed, empty or repeated entry, or DOCKER_HOST beside it, is refused naming the fix", () => {
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "unix:///a.sock,http://b:2375" })).toThrow(
      /DOCKER_HOSTS must be unix:\/\/\/path\/to\/docker.sock or tcp:\/\/host:port, got "http:\/\/b:2375"/,
    );
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://b" })).toThrow(/got "tcp:\/\/b"/);
    // Credentials mistakenly written into an entry are not printed back.
    let error: unknown;
    try {
      loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://ops:s3cr@t-token@engine-b:2376" });
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/got "tcp:\/\/\[redacted\]@engine-b:2376"/);
    expect(String(error)).not.toMatch(/s3cr|t-token|ops:/);
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: " , " })).toThrow(/DOCKER_HOSTS is empty/);
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://b:2375,tcp://b:2375" })).toThrow(
      /DOCKER_HOSTS names tcp:\/\/b:2375 more than once/,
    );
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://b:2375", DOCKER_HOST: "unix:///x.sock" }))
      .toThrow(
        /DOCKER_HOST and DOCKER_HOSTS are both set: put every engine in DOCKER_HOSTS and unset DOCKER_HOST/,
      );
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://b:2375", SANDBOXES_PER_HOST: "0" })).toThrow(
      /SANDBOXES_PER_HOST must be positive/,
    );
  });

  test("one engine written two ways is named once: each would count its own SANDBOXES_PER_HOST", () => {
    for (
      const hosts of [
        "tcp://engine-b:2375,tcp://engine-b:2375/",
        "tcp://Engine-B:2375,tcp://engine-b:2375",
        "tcp://engine-b:02375,tcp://engine-b:2375",
      ]
    ) {
      expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: hosts })).toThrow(
        /DOCKER_HOSTS names tcp:\/\/engine-b:2375 more than once/,
      );
    }
    expect(() => loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://[FD00::5]:2375,tcp://[fd00::5]:2375" })).toThrow(
      /DOCKER_HOSTS names tcp:\/\/\[fd00::5\]:2375 more than once/,
    );
    // Another port is another engine.
    expect(
      loadConfig({ ...BASE, DOCKER_HOSTS: "tcp://engine-b:2375,tcp://engine-b:2376" }).dockerHosts?.endpoints,
    )
      .toHaveLength(2);
  });

  test("DOCKER_TLS_VERIFY: each tcp:// engine reads its own host:port folder, else the shared files", () => {
    const config = loadConfig({
      ...BASE,
      DOCKER_HOSTS: "unix:///var/run/docker.sock,tcp://engine-a.internal:2376,tcp://engine-b.internal:2376",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: certs,
    });
    const [local, a, b] = config.dockerHosts!.endpoints;
    expect(local).toEqual({
      kind: "unix",
      url: "unix:///var/run/docker.sock",
      socketPath: "/var/run/docker.sock",
    });
    expect(a?.kind === "tcp" && a.tls).toEqual({
      certDir: certs,
      ca: "shared ca.pem",
      cert: "shared cert.pem",
      key: "shared key.pem",
    });
    expect(b?.kind === "tcp" && b.tls).toEqual({
      certDir: `${certs}/engine-b.internal:2376`,
      ca: "engine-b ca.pem",
      cert: "engine-b cert.pem",
      key: "engine-b key.pem",
    });
    const shown = JSON.stringify(redactedConfig(config));
    expect(shown).not.toContain('key.pem"');
    expect(shown).not.toMatch(/shared key\.pem|engine-b key\.pem/);
    expect(shown).toContain("engine-b cert.pem");
  });

  test("incomplete TLS settings are refused naming the engine, the folder and the missing files", () => {
    const hosts = { ...BASE, DOCKER_HOSTS: "tcp://engine-c.internal:2376" };
    expect(() => loadConfig({ ...hosts, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs })).toThrow(
      `DOCKER_HOSTS: tcp://engine-c.internal:2376 needs ca.pem, cert.pem, key.pem (DOCKER_TLS_VERIFY is on), but ${certs}/engine-c.internal:2376 lacks cert.pem, key.pem`,
    );
    const empty = `${certs}/nothing-here`;
    expect(() => loadConfig({ ...hosts, DOCKER_TLS_VERIFY: "true", DOCKER_CERT_PATH: empty })).toThrow(
      `neither ${empty}/engine-c.internal:2376 nor ${empty} holds them`,
    );
    expect(() => loadConfig({ ...hosts, DOCKER_TLS_VERIFY: "1" })).toThrow(
      /DOCKER_TLS_VERIFY is on but DOCKER_CERT_PATH is not set/,
    );
    expect(() => loadConfig({ ...hosts, DOCKER_CERT_PATH: certs })).toThrow(
      /DOCKER_CERT_PATH is set but DOCKER_TLS_VERIFY is not: set DOCKER_TLS_VERIFY=1/,
    );
    expect(() => loadConfig({ ...hosts, DOCKER_TLS_VERIFY: "yes" })).toThrow(
      /DOCKER_TLS_VERIFY must be 1 or 0/,
    );
  });

  test("a certificate folder the service may not read is named with DOCKER_CERT_PATH and where to put it", () => {
    const outside = (path: string): string => {
      throw new Deno.errors.NotCapable(
        `Requires read access to "${path}", run again with the --allow-read flag`,
      );
    };
    expect(() =>
      loadConfig({
        ...BASE,
        DOCKER_HOSTS: "tcp://engine-b.internal:2376",
        DOCKER_TLS_VERIFY: "1",
        DOCKER_CERT_PATH: "/etc/docker/certs",
      }, outside)
    ).toThrow(
      "DOCKER_CERT_PATH: cannot read /etc/docker/certs/engine-b.internal:2376/ca.pem (outside the paths the " +
        "service may read (its --allow-read)); put the folder where the service may read it (deno task start: " +
        "under /run/secrets or the project's folder)",
    );
  });

  test("a DOCKER_HOST that is empty or not unix:// or tcp://host:port is a settings problem, credentials cut", () => {
    expect(() => loadConfig({ ...BASE, DOCKER_HOST: "" })).toThrow(
      "Invalid configuration:\n  - DOCKER_HOST is empty: unset it for the local socket (DOCKER_HOST)",
    );
    let error: unknown;
    try {
      loadConfig({ ...BASE, DOCKER_HOST: "ssh://ops:s3cr-token@engine-b.internal", PORT: "x" });
    } catch (e) {
      error = e;
    }
    // Listed with the other problems, at load (exit 2), not found later at start.
    expect(String(error)).toContain(
      '  - DOCKER_HOST must be unix:///path/to/docker.sock or tcp://host:port, got "ssh://[redacted]@engine-b.internal"',
    );
    expect(String(error)).toContain("  - PORT must be a number");
    expect(String(error)).not.toContain("s3cr-token");
  });

  test("Docker's TLS settings beside a tcp:// DOCKER_HOST are refused: that one engine has no TLS", () => {
    for (const tls of [{ DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs }, { DOCKER_TLS_VERIFY: "1" }]) {
      expect(() => loadConfig({ ...BASE, DOCKER_HOST: "tcp://engine-b.internal:2376", ...tls })).toThrow(
        /DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply to the engines of DOCKER_HOSTS only, so the tcp:\/\/ engine of DOCKER_HOST would be reached without TLS: name it in DOCKER_HOSTS instead/,
      );
    }
    // The local socket never uses TLS, and TLS off says nothing.
    expect(
      loadConfig({ ...BASE, DOCKER_HOST: "unix:///var/run/docker.sock", DOCKER_TLS_VERIFY: "1" }).dockerHost,
    )
      .toBe("unix:///var/run/docker.sock");
    expect(
      loadConfig({ ...BASE, DOCKER_HOST: "tcp://engine-b.internal:2375", DOCKER_TLS_VERIFY: "0" }).dockerHost,
    )
      .toBe("tcp://engine-b.internal:2375");
  });
});
