/**
 * `GET /healthz` (the process answers) and `GET /readyz` (Docker reachable, store writable, the
 * sandbox image there and allowed by the Docker API proxy; with
 * `DOCKER_HOSTS`, every engine listed with its state, and ready while one of them answers).
 * Both answer without credentials (load balancers and orchestrators probe them); `/readyz` adds what
 * an operator needs to act (`problems`, `hosts`: engine addresses and their errors) only for a
 * caller whose credential the API accepts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ApiApp, ApiDeps, ApiEnv } from "../api_env.ts";
import { credentialsOf } from "../auth/auth_middleware.ts";
import { AuthFailure } from "../auth/auth_failure.ts";
import { json } from "../route_responses.ts";
import { errorText, logger } from "../../logging.ts";
import { type DockerHostState, dockerHostStateSchema } from "../../contracts/docker_host_state.ts";

const healthLog = logger("health");

const PROBE_TIMEOUT_MS = 2_000;

const readinessSchema = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({
    docker: z.enum(["ok", "failed"]),
    store: z.enum(["ok", "failed"]),
    image: z.enum(["ok", "failed"]).optional().describe(
      "The sandbox image (SANDBOX_IMAGE) is on the engine and, behind the Docker API proxy, allowed by it.",
    ),
  }),
  problems: z.array(z.string()).optional().describe(
    "What keeps the service from being ready that an operator fixes, each with its fix " +
      "(e.g. the sandbox image is missing: build it with `deno task image`). Only for a caller with credentials.",
  ),
  hosts: z.array(dockerHostStateSchema.clone().openapi("DockerHost")).optional().describe(
    "With DOCKER_HOSTS: each engine as last pinged (every DOCKER_HOSTS_PING_MS; see checkedAt). `docker` is " +
      "`ok` while one of them is up. Only for a caller with credentials.",
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
      description: "Ready when the Docker engine answers a ping (with DOCKER_HOSTS: one of them), the job " +
        "store accepts a write, and the sandbox image is there (and allowed by the Docker API proxy) " +
        "on every engine that answers. For a caller with credentials (as for `/v1`), `problems` says what " +
        "to fix and `hosts` lists the engines; without, only `status` and `checks`.",
      responses: { 200: json(readinessSchema, "Ready."), 503: json(readinessSchema, "Not ready.") },
    }),
    async (c) => {
      const [engines, store, image, details] = await Promise.all([
        probeEngines(deps),
        probe("store", () => deps.store.checkWritable()),
        probeImage(deps),
        hasCredentials(deps, c),
      ]);
      const { docker, hosts } = engines;
      const body = {
        status: docker === "ok" && store === "ok" && image?.status !== "failed"
          ? "ready" as const
          : "not_ready" as const,
        checks: { docker, store, ...(image ? { image: image.status } : {}) },
        ...(details && image?.problems.length ? { problems: image.problems } : {}),
        ...(details && hosts ? { hosts } : {}),
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
    // Each host going down is logged once, by the pool; here only the probe's outcome.
    if (hosts.every((h) => h.status === "down")) throw new Error("no Docker host of DOCKER_HOSTS answers");
  });
  return { docker, hosts };
}

/**
 * True when the request carries a credential the API accepts (or `AUTH_DISABLED`). A probe without
 * one is normal: nothing is refused, the answer is only shorter. A credential sent and rejected is
 * audited (`auth_failed`), as on `/v1`, so `/readyz` cannot be used to try keys unseen.
 */
async function hasCredentials(deps: ApiDeps, c: Context<ApiEnv>): Promise<boolean> {
  const credentials = credentialsOf(c);
  try {
    await deps.authenticator(credentials);
    return true;
  } catch (error) {
    if (credentials.authorization !== undefined || credentials.apiKey !== undefined) {
      deps.audit.record({
        event: "auth_failed",
        reason: error instanceof AuthFailure ? error.reason : "error",
        method: c.req.method,
        path: c.req.path,
        requestId: c.get("requestId"),
      });
    }
    return false;
  }
}

/** The sandbox image on the engines (`sandboxImage`), when the service checks it. */
async function probeImage(
  deps: ApiDeps,
): Promise<{ status: "ok" | "failed"; problems: string[] } | undefined> {
  if (!deps.sandboxImage) return undefined;
  let problems: string[] = [];
  const status = await probe("image", async (signal) => {
    problems = await deps.sandboxImage!(signal);
    if (problems.length > 0) throw new Error(problems.join("; "));
  });
  return { status, problems };
}

/**
 * `check`'s outcome within {@link PROBE_TIMEOUT_MS}. `signal` is aborted once it has one: the
 * requests the check made end then, so an engine that never answers keeps no connection per probe.
 */
async function probe(
  name: string,
  check: (signal: AbortSignal) => Promise<unknown>,
): Promise<"ok" | "failed"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new AbortController();
  try {
    await Promise.race([
      check(done.signal),
      new Promise((_, reject) => timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS)),
    ]);
    return "ok";
  } catch (error) {
    healthLog.warn("readiness check {name} failed: {error}", { name, error: errorText(error) });
    return "failed";
  } finally {
    clearTimeout(timer);
    done.abort();
  }
}
