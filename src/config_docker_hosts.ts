/** The pool of Docker engines, from the settings (`DOCKER_HOSTS`, `SANDBOXES_PER_HOST`, Docker's TLS variables). */
import type { Settings } from "./config_schema.ts";
import { ConfigError } from "./errors.ts";
import { type DockerEndpoint, parseDockerEndpoint } from "./sandbox/docker_endpoint.ts";
import { withDockerTls } from "./sandbox/docker_tls.ts";

/** `DOCKER_HOSTS` and what goes with it. */
export interface DockerHostsConfig {
  /** The engines, in the order given (ties in placement go to the first). */
  endpoints: DockerEndpoint[];
  /** `SANDBOXES_PER_HOST`: most sandboxes (work items) one engine runs at once. */
  sandboxesPerHost: number;
  /** `DOCKER_HOSTS_PING_MS`: how often each engine is pinged, ms. */
  pingIntervalMs: number;
}

/**
 * The pool, or undefined without `DOCKER_HOSTS` (one engine at `DOCKER_HOST`, as before).
 * @throws ConfigError when `DOCKER_HOST` is set too, or the TLS settings are incomplete; or, without
 *   `DOCKER_HOSTS`, when they are set for a `tcp://` `DOCKER_HOST` (which would be reached without TLS).
 */
export function dockerHostsConfig(
  e: Settings,
  readTextFile: (path: string) => string,
): DockerHostsConfig | undefined {
  if (e.DOCKER_HOSTS === undefined) {
    // Docker's CLI would reach such a DOCKER_HOST over TLS; the service's one engine has no TLS.
    if (e.DOCKER_HOST?.startsWith("tcp://") && (e.DOCKER_TLS_VERIFY || e.DOCKER_CERT_PATH)) {
      throw new ConfigError(
        "Invalid configuration:\n  - DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply to the engines of " +
          "DOCKER_HOSTS only, so the tcp:// engine of DOCKER_HOST would be reached without TLS: name it in " +
          "DOCKER_HOSTS instead (DOCKER_HOSTS=tcp://host:port, DOCKER_HOST unset; SANDBOXES_PER_HOST caps it), " +
          "or unset DOCKER_TLS_VERIFY and DOCKER_CERT_PATH",
      );
    }
    return undefined;
  }
  if (e.DOCKER_HOST) {
    throw new ConfigError(
      "Invalid configuration:\n  - DOCKER_HOST and DOCKER_HOSTS are both set: put every engine in DOCKER_HOSTS and unset DOCKER_HOST",
    );
  }
  const endpoints = e.DOCKER_HOSTS.map((host) => parseDockerEndpoint(host, "each entry of DOCKER_HOSTS"));
  try {
    return {
      endpoints: withDockerTls(
        endpoints,
        { verify: e.DOCKER_TLS_VERIFY, ...(e.DOCKER_CERT_PATH ? { certPath: e.DOCKER_CERT_PATH } : {}) },
        readTextFile,
      ),
      sandboxesPerHost: e.SANDBOXES_PER_HOST,
      pingIntervalMs: e.DOCKER_HOSTS_PING_MS,
    };
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  - ${(error as Error).message}`, { cause: error });
  }
}

/** `hosts` with every TLS key replaced by `[redacted]`. */
export function redactedDockerHosts(hosts: DockerHostsConfig): DockerHostsConfig {
  return {
    ...hosts,
    endpoints: hosts.endpoints.map((e) =>
      e.kind === "tcp" && e.tls ? { ...e, tls: { ...e.tls, key: "[redacted]" } } : e
    ),
  };
}
