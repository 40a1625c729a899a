/**
 * The service as `deno task start` builds it, but with a pipeline that holds
 * each job until its signal aborts (cancel, shutdown): the HTTP API, auth,
 * store, worker and audit log are the real ones. Started by `api_bench.ts`
 * with explicit permissions; prints `{"port":N}` once listening.
 */
import { loadConfig } from "../src/config.ts";
import { buildService } from "../src/service.ts";
import type { Pipeline } from "../src/pipeline/pipeline_contract.ts";
import { jobEvents } from "../src/pipeline/job_event_builders.ts";

const holdUntilAborted: Pipeline = (_job, emit, signal) =>
  new Promise((resolve) => {
    emit(jobEvents.step("holding until released")).catch(() => undefined);
    signal.addEventListener(
      "abort",
      () => resolve({ status: "failed", reason: "released", pullRequests: [] }),
      { once: true },
    );
  });

const config = loadConfig(Deno.env.toObject());
const service = await buildService(config, { pipeline: holdUntilAborted });
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ port })),
}, service.app.fetch);
Deno.addSignalListener("SIGTERM", async () => {
  await service.worker.stop();
  await server.shutdown();
  await service.close();
  Deno.exit(0);
});
