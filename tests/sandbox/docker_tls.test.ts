/**
 * Per-engine TLS against a real engine: a second dockerd of the test's own listening with
 * `--tlsverify` (`scripts/second_engine.ts`), reached as `DOCKER_HOSTS` says with Docker's
 * `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (the engine's files in its `host:port` sub-folder).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { selfSigned } from "../../scripts/engine_tls.ts";
import { type SecondEngine, startSecondEngine } from "../../scripts/second_engine.ts";
import { loadConfig } from "../../src/config.ts";
import { dockerClientFor } from "../../src/sandbox/docker_client.ts";
import { parseDockerEndpoint } from "../../src/sandbox/docker_endpoint.ts";
import { DockerHostPool } from "../../src/sandbox/docker_host_pool.ts";

const BASE = { ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true", GITHUB_TOKEN: "ghp_x" };

describe("a tcp:// engine over TLS", () => {
  let engine: SecondEngine;
  let tcp: { url: string; certPath: string };

  beforeAll(async () => {
    engine = await startSecondEngine({ tls: true });
    tcp = engine.tcp!;
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const poolOf = (url: string, endpoint: Parameters<typeof dockerClientFor>[0]) => {
    const docker = dockerClientFor(endpoint);
    return new DockerHostPool([{ name: url, ping: () => docker.ping() }], {
      capacity: 1,
      pingTimeoutMs: 5_000,
    });
  };

  test("with DOCKER_TLS_VERIFY and the engine's own certificate folder, the engine answers over TLS", async () => {
    const config = loadConfig({
      ...BASE,
      DOCKER_HOSTS: tcp.url,
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: tcp.certPath,
    });
    const [endpoint] = config.dockerHosts!.endpoints;
    expect(endpoint?.kind === "tcp" && endpoint.tls?.certDir).toBe(
      `${tcp.certPath}/${tcp.url.slice("tcp://".length)}`,
    );
    const docker = dockerClientFor(endpoint!);
    expect(String(await docker.ping())).toBe("OK");
    expect((await docker.info()).DockerRootDir).toMatch(/ba-engine2-.*\/data$/);
  });

  test("without TLS, or with a client certificate the engine's CA did not sign, the engine is down and says why", async () => {
    const plain = poolOf(tcp.url, parseDockerEndpoint(tcp.url, "DOCKER_HOSTS"));
    const [withoutTls] = await plain.check();
    expect(withoutTls).toMatchObject({ status: "down" });

    const stranger = await Deno.makeTempDir({ prefix: "docker-certs-" });
    try {
      const own = `${tcp.certPath}/${tcp.url.slice("tcp://".length)}`;
      // The engine's CA, so the client trusts the engine; but a client certificate of another CA.
      await Deno.copyFile(`${own}/ca.pem`, `${stranger}/ca.pem`);
      await selfSigned(stranger, "stranger", "cert");
      await Deno.rename(`${stranger}/cert-key.pem`, `${stranger}/key.pem`);
      const config = loadConfig({
        ...BASE,
        DOCKER_HOSTS: tcp.url,
        DOCKER_TLS_VERIFY: "1",
        DOCKER_CERT_PATH: stranger,
      });
      const [refused] = await poolOf(tcp.url, config.dockerHosts!.endpoints[0]!).check();
      expect(refused).toMatchObject({ status: "down" });
      expect(refused!.error).toMatch(/certificate|handshake|alert|socket hang up|ECONNRESET/i);
    } finally {
      await Deno.remove(stranger, { recursive: true });
    }
  });
});
