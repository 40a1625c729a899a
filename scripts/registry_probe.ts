import { runCommand } from "./run_command.ts";

/** Options for {@link registryAvailable}. */
export interface RegistryProbeOptions {
  /** How long `docker pull` may take before we call the registry unreachable (default 90 000 ms). */
  pullTimeoutMs?: number;
}

/**
 * Whether the registry build can get its base image: true when the image is
 * already local, else when `docker pull <baseImage>` succeeds in time (without
 * network it fails in milliseconds). Needs `--allow-run=docker`.
 */
export async function registryAvailable(
  baseImage: string,
  options: RegistryProbeOptions = {},
): Promise<boolean> {
  const local = await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", baseImage], {
    timeoutMs: 20_000,
  });
  if (local.code === 0) return true;
  const pull = await runCommand("docker", ["pull", "--quiet", baseImage], {
    timeoutMs: options.pullTimeoutMs ?? 90_000,
  });
  return pull.code === 0;
}
