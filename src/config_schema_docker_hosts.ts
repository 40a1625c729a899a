/**
 * The settings of the Docker engines sandboxes run on: one at `DOCKER_HOST` or a pool at
 * `DOCKER_HOSTS`, TLS, and the pool's capacity and health checks. Part of the settings schema
 * (`config_schema.ts`).
 */
import { z } from "zod";
import { positiveInt } from "./config_setting_kinds.ts";
import { type DockerEndpoint, parseDockerEndpoint } from "./sandbox/docker_endpoint.ts";

/** `DOCKER_HOST`, `DOCKER_HOSTS`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `SANDBOXES_PER_HOST`, `DOCKER_HOSTS_PING_MS`. */
export const dockerHostSettings = {
  DOCKER_HOST: z.string().superRefine((host, ctx) => {
    if (host.trim() === "") {
      ctx.addIssue({ code: "custom", message: "DOCKER_HOST is empty: unset it for the local socket" });
      return;
    }
    try {
      parseDockerEndpoint(host, "DOCKER_HOST");
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }).optional(),
  DOCKER_HOSTS: z.string().optional().transform((v) => v?.split(",").map((h) => h.trim()).filter(Boolean))
    .superRefine((hosts, ctx) => {
      if (hosts === undefined) return;
      if (hosts.length === 0) ctx.addIssue({ code: "custom", message: "DOCKER_HOSTS is empty" });
      const engines: string[] = [];
      for (const host of hosts) {
        try {
          engines.push(engineOf(parseDockerEndpoint(host, "each entry of DOCKER_HOSTS")));
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }
      const twice = [...new Set(engines.filter((h, i) => engines.indexOf(h) !== i))];
      if (twice.length > 0) {
        ctx.addIssue({ code: "custom", message: `DOCKER_HOSTS names ${twice.join(", ")} more than once` });
      }
    }),
  DOCKER_TLS_VERIFY: z.enum(["true", "false", "1", "0", ""], {
    error: "DOCKER_TLS_VERIFY must be 1 or 0 (or true or false)",
  }).default("").transform((v) => v === "true" || v === "1"),
  DOCKER_CERT_PATH: z.string().trim().min(1, "DOCKER_CERT_PATH is empty").optional(),
  SANDBOXES_PER_HOST: positiveInt("SANDBOXES_PER_HOST", 4),
  DOCKER_HOSTS_PING_MS: positiveInt("DOCKER_HOSTS_PING_MS", 5_000),
};

/**
 * The engine `endpoint` reaches, written one way: host names compare case-insensitively, and a
 * trailing `/` or a port's leading zeros name the same engine (each would count its slots apart).
 */
function engineOf(endpoint: DockerEndpoint): string {
  return endpoint.kind === "unix"
    ? `unix://${endpoint.socketPath}`
    : `tcp://${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
      .toLowerCase();
}
