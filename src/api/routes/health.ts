/**
 * `GET /healthz` (the process answers) and `GET /readyz` (Docker reachable, store writable; with
 * `DOCKER_HOSTS`, every engine listed with its state, and ready while one of them answers).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { json } from "../route_responses.ts";
import { errorText, logger } from "../../logging.ts";
import { type DockerHostState, dockerHostStateSchema } from "../../sandbox/docker_host_state.ts";

const healthLog = logger("health");

const PROBE_TIMEOUT_MS = 2_000;

const readinessSchema = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({ docker: z.enum(["ok", "failed"]), store: z.enum(["ok", "failed"]) }),
  hosts: z.array(dockerHostStateSchema.clone().openapi("DockerHost")).optional().describe(
    "With DOCKER_HOSTS: each engine, pinged now. `docker` is `ok` while one of them is up.",
  ),
}).openapi("Readiness");

/** Registers both probes (no authentication). */
export function registerHealth(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["health"],
      summary: "Liveness",
      responses: { 200: json(z.object({ status: z.literal("ok") }), "The process answers.") },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/readyz",
      tags: ["health"],
      summary: "Readiness",
      description:
        "Ready when the Docker engine answers a ping (with DOCKER_HOSTS: one of them) and the job " +
        "store accepts a write.",
      responses: { 200: json(readinessSchema, "Ready."), 503: json(readinessSchema, "Not ready.") },
    }),
    async (c) => {
      const [engines, store] = await Promise.all([
        probeEngines(deps),
        probe("store", () => deps.store.checkWritable()),
      ]);
      const { docker, hosts } = engines;
      const body = {
        status: docker === "ok" && store === "ok" ? "ready" as const : "not_ready" as const,
        checks: { docker, store },
        ...(hosts ? { hosts } : {}),
      };
      return body.status === "ready" ? c.json(body, 200) : c.json(body, 503);
    },
  );
}

/** The engine (`pingDocker`), or each engine of the pool (`dockerHosts`): ok while one answers. */
async function probeEngines(
  deps: ApiDeps,
): Promise<{ docker: "ok" | "failed"; hosts?: DockerHostState[] }> {
  if (!deps.dockerHosts) return { docker: await probe("docker", deps.pingDocker) };
  let hosts: DockerHostState[] = [];
  const docker = await probe("docker", async () => {
    hosts = await deps.dockerHosts!();
    const down = hosts.filter((h) => h.status === "down");
    for (const h of down) {
      healthLog.warn("Docker host {host} is down: {error}", { host: h.host, error: h.error });
    }
    if (down.length === hosts.length) throw new Error("no Docker host of DOCKER_HOSTS answers");
  });
  return { docker, hosts };
}

async function probe(name: string, check: () => Promise<unknown>): Promise<"ok" | "failed"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS)),
    ]);
    return "ok";
  } catch (error) {
    healthLog.warn("readiness check {name} failed: {error}", { name, error: errorText(error) });
    return "failed";
  } finally {
    clearTimeout(timer);
  }
}
