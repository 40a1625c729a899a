/**
 * `/readyz` against an engine that accepts connections and never answers (a hung dockerd, a stalled
 * proxy): not ready once its probes' time is up, and every request a probe made is ended then, so a
 * load balancer probing it does not pile up connections to that engine.
 */
import { afterEach, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService, type Service } from "../../src/service.ts";
import { holdingPipeline } from "../jobs/holding_pipeline.ts";
import { silentServer } from "../silent_server.ts";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An engine that accepts and never answers; `accepted` holds its connections. */
function silentEngine() {
  const server = silentServer();
  closers.push(server.close);
  return { url: `tcp://127.0.0.1:${server.port}`, accepted: server.accepted };
}

/** Resolves once the client has closed `conn` (its read ends); what it sent is discarded. */
async function closedByClient(conn: Deno.Conn): Promise<true> {
  const buffer = new Uint8Array(4096);
  while ((await conn.read(buffer)) !== null);
  return true;
}

async function serviceOn(env: Record<string, string>): Promise<Service> {
  const dir = await Deno.makeTempDir({ prefix: "backend-agent-hung-engine-" });
  const service = await buildService(
    loadConfig({
      GITHUB_TOKEN: "ghp_test",
      ANTHROPIC_API_KEY: "sk-ant-test",
      AUTH_DISABLED: "true",
      JOBS_DB_PATH: `${dir}/jobs.sqlite`,
      ...env,
    }),
    { audit: NO_AUDIT, pipeline: holdingPipeline().pipeline },
  );
  closers.push(async () => {
    await service.close();
    await Deno.remove(dir, { recursive: true });
  });
  return service;
}

test(
  "DOCKER_HOST that never answers: /readyz is not ready and its ping and image inspection are closed",
  async () => {
    const engine = silentEngine();
    const service = await serviceOn({ DOCKER_HOST: engine.url });
    const response = await service.app.request("/readyz");
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "not_ready",
      checks: { docker: "failed", store: "ok", image: "failed" },
    });
    // The ping and the sandbox image's inspection.
    expect(engine.accepted).toHaveLength(2);
    expect(await Promise.all(engine.accepted.map(closedByClient))).toEqual([true, true]);
  },
  30_000,
);

test("DOCKER_HOSTS with an engine that never answers: each probe's requests to it are closed", async () => {
  const engine = silentEngine();
  const service = await serviceOn({ DOCKER_HOSTS: engine.url });
  for (let probe = 0; probe < 2; probe++) {
    const response = await service.app.request("/readyz");
    expect(response.status).toBe(503);
  }
  // Per probe: the pool's ping of the engine and the sandbox image's inspection.
  expect(engine.accepted).toHaveLength(4);
  expect(await Promise.all(engine.accepted.map(closedByClient))).toEqual([true, true, true, true]);
}, 30_000);
