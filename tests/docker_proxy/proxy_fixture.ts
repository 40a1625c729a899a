/** Shared set-up for proxy tests: a proxy on loopback in front of the real engine, clients on both sides. */
import type Docker from "dockerode";
import { type ProxyConfig, readProxyConfig } from "../../src/docker_proxy/config.ts";
import { createSandboxCap } from "../../src/docker_proxy/sandbox_cap.ts";
import type { Ownership } from "../../src/docker_proxy/ownership.ts";
import { type DockerProxy, startDockerProxy } from "../../src/docker_proxy/server.ts";
import { createDockerClient } from "../../src/sandbox/docker_client.ts";
import { docker as engine, testLimits } from "../sandbox/sandbox_fixture.ts";

/** The engine itself, for checks the proxy must not influence. */
export const direct: Docker = engine;

/** The image the proxy allows: the one the sandbox tests use. */
export const IMAGE = testLimits().image;

/** A running proxy, a dockerode client through it, and the audit lines it wrote. */
export interface ProxyUnderTest {
  proxy: DockerProxy;
  docker: Docker;
  audit: string[];
  config: ProxyConfig;
}

/**
 * Starts a proxy on 127.0.0.1 and a free port; the caller closes it.
 * @param countOnly labels the sandbox count also filters on, so that only the test's own resources
 *   count against `PROXY_MAX_SANDBOXES` (other test files create managed sandboxes meanwhile).
 * @param ownership the managed-resource look-ups, when a test stages something between a check and the call.
 */
export function startTestProxy(
  env: Record<string, string> = {},
  countOnly?: Record<string, string>,
  ownership?: Ownership,
): ProxyUnderTest {
  const config = readProxyConfig({ PROXY_LISTEN: "127.0.0.1:0", PROXY_ALLOWED_IMAGES: IMAGE, ...env });
  const audit: string[] = [];
  const sandboxes = countOnly
    ? createSandboxCap(config.upstreamSocket, config.maxSandboxes, { alsoLabelled: countOnly })
    : undefined;
  const proxy = startDockerProxy(config, {
    audit: (line) => audit.push(line),
    ...(sandboxes ? { sandboxes } : {}),
    ...(ownership ? { ownership } : {}),
  });
  const docker = createDockerClient(`tcp://127.0.0.1:${proxy.port}`);
  return { proxy, docker, audit, config };
}

/** A raw exchange: `request` is sent as written, the whole answer comes back (the proxy closes after one). */
export async function rawExchange(
  port: number,
  request: string | Uint8Array,
): Promise<{ status: number; head: string; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const bytes = typeof request === "string" ? new TextEncoder().encode(request) : request;
    for (let at = 0; at < bytes.byteLength;) at += await conn.write(bytes.subarray(at));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    chunks.reduce((at, c) => (all.set(c, at), at + c.byteLength), 0);
    const text = new TextDecoder().decode(all);
    const split = text.indexOf("\r\n\r\n");
    const head = split < 0 ? text : text.slice(0, split);
    return {
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
      head,
      body: split < 0 ? "" : text.slice(split + 4),
    };
  } finally {
    conn.close();
  }
}

/** True when the engine knows a container called `name`. */
export async function containerExists(name: string): Promise<boolean> {
  return await direct.getContainer(name).inspect().then(() => true, () => false);
}

/** True when the engine knows a volume called `name`. */
export async function volumeExists(name: string): Promise<boolean> {
  return await direct.getVolume(name).inspect().then(() => true, () => false);
}

/** The status and engine-style message of a failed dockerode call. */
export async function refusalOf(
  call: Promise<unknown>,
): Promise<{ status: number | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
    return { status: e.statusCode, message: e.json?.message ?? e.message ?? String(error) };
  }
  throw new Error("expected the call to be refused, it succeeded");
}

/** A name no other test uses. */
export function uniqueName(what: string): string {
  return `backend-agent-test-proxy-${what}-${crypto.randomUUID().slice(0, 8)}`;
}
