/**
 * Starts what one scenario needs, all real but the two protocol stand-ins:
 * the GitHub stand-in seeded from the scenario, the Anthropic stand-in playing
 * its scripts (or the real API), a package index for the example repository's
 * dependencies (`examples/example_index.ts`, unless `PIP_INDEX_URL` is given),
 * and the service itself on loopback HTTP.
 * Used by the end-to-end tests and by `deno task demo`.
 */
import { fileURLToPath } from "node:url";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { z } from "zod";
import { loadConfig } from "../../src/config.ts";
import { type JobEvent, jobEventSchema } from "../../src/contracts/job_events.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { buildService, type Service } from "../../src/service.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { type ExampleIndex, startExampleIndex } from "../../examples/example_index.ts";
import { createDockerClient } from "../../src/sandbox/docker_client.ts";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/sandbox/limits.ts";
import {
  type AnthropicStandIn,
  type AnthropicStandInOptions,
  startAnthropicStandIn,
} from "../stand_ins/anthropic_server.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "../stand_ins/github_server.ts";
import type { ProviderFront } from "./provider_fronts.ts";

/** The project root (where deno.json is). */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A running scenario environment. */
export interface Harness {
  github: GitHubStandIn;
  /** Undefined when the real Anthropic API is used. */
  anthropic?: AnthropicStandIn;
  /** The model provider in front of the Anthropic stand-in, when {@link HarnessOptions.provider} started one. */
  provider?: ProviderFront<unknown>;
  service: Service;
  /** Base URL of the service's HTTP API. */
  apiUrl: string;
  /** The audit log file (JSON lines). */
  auditLogPath: string;
  /** The example's package index the service installs from; undefined when `PIP_INDEX_URL` was given. */
  packageIndex?: ExampleIndex;
  /** Stops everything; idempotent. */
  close(): Promise<void>;
}

/** Options for {@link startHarness}. */
export interface HarnessOptions {
  /** Use the real Anthropic API with this key instead of the stand-in. */
  realAnthropicKey?: string;
  /** Extra settings (same names as the environment variables). */
  env?: Record<string, string>;
  /** Authenticate to GitHub as a GitHub App (a fresh key pair) instead of with a token. */
  githubApp?: boolean;
  /**
   * Puts a model provider (Bedrock, Vertex AI, a gateway: see `provider_fronts.ts`) in front of the
   * Anthropic stand-in; its settings go over the stand-in's.
   */
  provider?: (anthropic: AnthropicStandIn) => Promise<ProviderFront<unknown>>;
  /** Wraps the service's SQLite job store (e.g. to inject failures). */
  wrapStore?: (store: JobStore) => JobStore;
  /** Options of the Anthropic stand-in besides the scenario's scripts (e.g. the models it serves). */
  anthropic?: Omit<AnthropicStandInOptions, "scripts">;
}

/** Starts the stand-ins and the service for `scenario`. */
export async function startHarness(scenario: Scenario, options: HarnessOptions = {}): Promise<Harness> {
  const app = options.githubApp ? await generateKeyPair("RS256", { extractable: true }) : undefined;
  const github = await startGitHubStandIn(
    app ? { app: { id: 1001, installationId: 2002, publicKeyPem: await exportSPKI(app.publicKey) } } : {},
  );
  await seedFromScenario(github, scenario, PROJECT_ROOT);
  const githubAuth = app
    ? {
      GITHUB_APP_ID: "1001",
      GITHUB_APP_INSTALLATION_ID: "2002",
      GITHUB_APP_PRIVATE_KEY: await exportPKCS8(app.privateKey),
    }
    : { GITHUB_TOKEN: github.token };
  const anthropic = options.realAnthropicKey
    ? undefined
    : await startAnthropicStandIn({ ...options.anthropic, scripts: scenario.scripts });
  const provider = anthropic && options.provider ? await options.provider(anthropic) : undefined;
  const dataDir = await Deno.makeTempDir({ prefix: "backend-agent-" });
  const settings: Record<string, string | undefined> = {
    ...githubAuth,
    GITHUB_API_URL: github.url,
    ANTHROPIC_API_KEY: options.realAnthropicKey ?? anthropic!.apiKey,
    ...(anthropic ? { ANTHROPIC_BASE_URL: anthropic.url } : {}),
    JOBS_DB_PATH: `${dataDir}/jobs.sqlite`,
    AUTH_DISABLED: "true",
    AUDIT_LOG_PATH: `${dataDir}/audit.jsonl`,
    GITHUB_WEBHOOK_SECRET: github.webhookSecret,
    GITHUB_BOT_LOGIN: "agent-runner[bot]",
    ...(Deno.env.get("SANDBOX_IMAGE") ? { SANDBOX_IMAGE: Deno.env.get("SANDBOX_IMAGE")! } : {}),
    ...provider?.env,
    ...options.env,
  };
  const packageIndex = settings.PIP_INDEX_URL === undefined
    ? await startExampleIndex(
      createDockerClient(Deno.env.get("DOCKER_HOST")),
      // The index runs from the real sandbox image even when a test breaks SANDBOX_IMAGE on purpose.
      DEFAULT_SANDBOX_LIMITS.image,
    )
    : undefined;
  const config = loadConfig({ ...settings, ...packageIndex?.settings });
  const service = await buildService(
    config,
    options.wrapStore
      ? {
        store: options.wrapStore(
          openSqliteStore(config.jobsDbPath, { idempotencyTtlMs: config.idempotencyTtlMs }),
        ),
      }
      : {},
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, service.app.fetch);
  github.setWebhookUrl(`http://127.0.0.1:${server.addr.port}/v1/webhooks/github`);
  let closed: Promise<void> | undefined;
  return {
    github,
    ...(anthropic ? { anthropic } : {}),
    ...(provider ? { provider } : {}),
    service,
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    auditLogPath: `${dataDir}/audit.jsonl`,
    ...(packageIndex ? { packageIndex } : {}),
    close() {
      closed ??= (async () => {
        await server.shutdown();
        await service.close();
        await github.close();
        await provider?.close();
        await anthropic?.close();
        await packageIndex?.[Symbol.asyncDispose]();
        await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
      })();
      return closed;
    },
  };
}

const eventsPage = z.object({ events: z.array(jobEventSchema) });

/** `GET /v1/jobs/{id}/events?after=…` (with `headers`, e.g. a credential), each event checked against the event contract. */
export async function fetchEvents(
  apiUrl: string,
  id: string,
  after: number,
  headers?: HeadersInit,
): Promise<JobEvent[]> {
  const response = await fetch(`${apiUrl}/v1/jobs/${id}/events?after=${after}`, headers ? { headers } : {});
  return eventsPage.parse(await response.json()).events;
}

/** Polls `GET /v1/jobs/{id}` (with `headers`) until the job is final; `onEvent` gets each new progress event. */
export async function waitForJob(
  apiUrl: string,
  id: string,
  options: { onEvent?: (e: JobEvent) => void; timeoutMs?: number; headers?: HeadersInit } = {},
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const { headers } = options;
  let after = 0;
  while (Date.now() < deadline) {
    for (const e of await fetchEvents(apiUrl, id, after, headers)) {
      options.onEvent?.(e);
      after = e.seq;
    }
    const job = await (await fetch(`${apiUrl}/v1/jobs/${id}`, headers ? { headers } : {})).json() as Record<
      string,
      unknown
    >;
    if (["succeeded", "failed", "cancelled"].includes(String(job.status))) {
      for (const e of await fetchEvents(apiUrl, id, after, headers)) options.onEvent?.(e);
      return job;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish in time`);
}

/** Submits `scenario`'s job over HTTP (202 expected) and waits for it; returns the job and its events. */
export async function runScenarioJob(
  harness: Harness,
  scenario: Scenario,
): Promise<{ id: string; status: number; job: Record<string, unknown>; events: JobEvent[] }> {
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue }),
  });
  const { id } = await response.json() as { id: string };
  const events: JobEvent[] = [];
  const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });
  return { id, status: response.status, job, events };
}
