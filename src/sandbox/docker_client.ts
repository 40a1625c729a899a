/** Builds the dockerode client from `DOCKER_HOST` (unix:// or tcp://), defaulting to the local socket. */
import Docker from "dockerode";
import { ConfigError } from "../errors.ts";

/** The engine's socket when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * @param dockerHost `unix:///path/to/docker.sock` or `tcp://host:port`; undefined → {@link DEFAULT_DOCKER_SOCKET}.
 * @throws ConfigError for any other form.
 */
export function createDockerClient(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
  if (dockerHost.startsWith("unix://")) return new Docker({ socketPath: dockerHost.slice("unix://".length) });
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (tcp) return new Docker({ host: tcp[1]!, port: Number(tcp[2]), protocol: "http" });
  throw new ConfigError(`DOCKER_HOST must be unix:///path or tcp://host:port, got "${dockerHost}"`);
}
