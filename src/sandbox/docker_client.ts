/** Builds the dockerode client of an engine: `DOCKER_HOST` (unix:// or tcp://), or one of `DOCKER_HOSTS`. */
import Docker from "dockerode";
import { type DockerEndpoint, parseDockerEndpoint } from "./docker_endpoint.ts";

/** The engine's socket when `DOCKER_HOST` is not set. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * @param dockerHost `unix:///path/to/docker.sock` or `tcp://host:port`; undefined → {@link DEFAULT_DOCKER_SOCKET}.
 * @throws ConfigError for any other form.
 */
export function createDockerClient(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
  return dockerClientFor(parseDockerEndpoint(dockerHost, "DOCKER_HOST"));
}

/** The client of `endpoint`: its socket, plain HTTP, or HTTPS with its client certificate (`tls`). */
export function dockerClientFor(endpoint: DockerEndpoint): Docker {
  if (endpoint.kind === "unix") return new Docker({ socketPath: endpoint.socketPath });
  const { host, port, tls } = endpoint;
  if (!tls) return new Docker({ host, port, protocol: "http" });
  return new Docker({ host, port, protocol: "https", ca: tls.ca, cert: tls.cert, key: tls.key });
}

/**
 * `docker`'s `GET /_ping`, ended when `signal` aborts (dockerode reads `abortSignal`; its types omit
 * the argument).
 */
export function pingEngine(docker: Docker, signal?: AbortSignal): Promise<unknown> {
  const ping = docker.ping as unknown as (
    this: Docker,
    opts: { abortSignal?: AbortSignal },
  ) => Promise<unknown>;
  return ping.call(docker, signal ? { abortSignal: signal } : {});
}
