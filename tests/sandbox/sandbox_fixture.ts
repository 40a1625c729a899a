/** Shared set-up for sandbox tests: the real engine, the configured image, a tiny seed repo. */
import { Buffer } from "node:buffer";
import tar from "tar-stream";
import { createDockerClient } from "../../src/sandbox/docker_client.ts";
import { createDockerSandboxFactory } from "../../src/sandbox/docker_sandbox.ts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "../../src/sandbox/limits.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";

/** The engine the tests run against (DOCKER_HOST or the local socket). */
export const docker = createDockerClient(Deno.env.get("DOCKER_HOST"));

/** Limits for tests: the configured image, small enough to hit quickly. */
export function testLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  return {
    ...DEFAULT_SANDBOX_LIMITS,
    image: Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image,
    memoryMb: 256,
    pidsLimit: 64,
    commandTimeoutMs: 20_000,
    ...overrides,
  };
}

/** A tar archive of `files` (path → text), as the seed step produces. */
export async function tarOf(files: Record<string, string>): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) {
    pack.entry({ name, uid: 1000, gid: 1000, mode: name.endsWith(".sh") ? 0o755 : 0o644 }, text);
  }
  pack.finalize();
  const chunks: Uint8Array[] = [];
  for await (const c of pack) chunks.push(c as Uint8Array);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Creates a sandbox seeded with `files`; the caller disposes it. */
export async function newSandbox(
  files: Record<string, string> = { "README.md": "hello\n" },
  overrides: Partial<SandboxLimits> = {},
  labels: Record<string, string> = {},
): Promise<Sandbox> {
  const factory = createDockerSandboxFactory(docker, {
    limits: testLimits(overrides),
    maxSeedBytes: 64 * 1024 * 1024,
  });
  const name = `backend-agent-test-${crypto.randomUUID().slice(0, 8)}`;
  return await factory.create({
    name,
    seed: await tarOf(files),
    labels: { "dev.backend-agent.test": "true", ...labels },
  });
}
