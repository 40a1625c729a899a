/**
 * The service's composition root: builds every part from the config and wires
 * them together. `main.ts` serves it over HTTP; the demo and the end-to-end
 * tests build the very same thing.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Hono } from "hono";
import { createApp } from "./api/app.ts";
import type { Config } from "./config.ts";
import { createOctokitGateway } from "./github/octokit_gateway.ts";
import { createPipeline } from "./jobs/runner.ts";
import { openSqliteStore } from "./jobs/sqlite_store.ts";
import type { JobStore } from "./jobs/store.ts";
import { startWorker, type Worker } from "./jobs/worker.ts";
import { createDockerClient } from "./sandbox/docker_client.ts";
import { createDockerSandboxFactory } from "./sandbox/docker_sandbox.ts";
import { reapSandboxes } from "./sandbox/reaper.ts";

/** A built service: the HTTP app plus what runs behind it. */
export interface Service {
  app: Hono;
  store: JobStore;
  worker: Worker;
  /** Stops the worker (after its current job) and closes the store. */
  close(): Promise<void>;
}

/**
 * Builds the service. Removes sandboxes left by an earlier crashed process
 * before the worker starts.
 * Needs: the Docker socket, network access to GitHub and Anthropic (or their
 * configured URLs), read/write on the job database's folder.
 */
export async function buildService(config: Config): Promise<Service> {
  const docker = createDockerClient(config.dockerHost);
  const reaped = await reapSandboxes(docker);
  if (reaped.length > 0) log("info", `removed ${reaped.length} leftover sandbox resources`);
  const store = openSqliteStore(config.jobsDbPath);
  const anthropic = new Anthropic({
    apiKey: config.anthropic.apiKey,
    ...(config.anthropic.baseUrl ? { baseURL: config.anthropic.baseUrl } : {}),
    maxRetries: 4,
  });
  const pipeline = createPipeline(
    {
      github: createOctokitGateway({ token: config.github.token, baseUrl: config.github.apiUrl }),
      sandboxes: createDockerSandboxFactory(docker, { limits: config.sandbox }),
      messages: anthropic.messages,
      store,
    },
    {
      model: config.anthropic.model,
      budget: {
        maxTurns: config.budget.turns,
        maxOutputTokensPerCall: config.budget.maxOutputTokens,
        maxTotalTokens: config.budget.tokens,
        maxUsd: config.budget.usd,
        maxWallClockMs: config.budget.wallClockMs,
      },
      testCommand: config.testCommand,
      testTimeoutMs: config.testTimeoutMs,
      maxVerifyRetries: config.maxVerifyRetries,
      onFailingTests: config.onFailingTests,
      draft: config.draftPullRequests,
      commandPolicy: config.commandPolicy,
      diffPolicy: config.diffPolicy,
    },
  );
  const worker = startWorker(store, pipeline);
  const app = createApp({ store, onJobQueued: () => worker.kick() });
  return {
    app,
    store,
    worker,
    async close() {
      await worker.stop();
      store.close();
    },
  };
}

/** One JSON log line on stderr. Callers never pass secrets. */
export function log(
  level: "info" | "warn" | "error",
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  console.error(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}
