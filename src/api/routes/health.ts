/** `GET /healthz` (the process answers) and `GET /readyz` (Docker reachable, store writable). */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ApiDeps } from "../api_env.ts";
import { json } from "../route_responses.ts";
import { errorText, logger } from "../../logging.ts";

const healthLog = logger("health");

const PROBE_TIMEOUT_MS = 2_000;

const readinessSchema = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({ docker: z.enum(["ok", "failed"]), store: z.enum(["ok", "failed"]) }),
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
      description: "Ready when the Docker engine answers a ping and the job store accepts a write.",
      responses: { 200: json(readinessSchema, "Ready."), 503: json(readinessSchema, "Not ready.") },
    }),
    async (c) => {
      const [docker, store] = await Promise.all([
        probe("docker", deps.pingDocker),
        probe("store", () => deps.store.checkWritable()),
      ]);
      const body = {
        status: docker === "ok" && store === "ok" ? "ready" as const : "not_ready" as const,
        checks: { docker, store },
      };
      return body.status === "ready" ? c.json(body, 200) : c.json(body, 503);
    },
  );
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
