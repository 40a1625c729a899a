/** The Hono environment of the API: what middleware puts on the context. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuditLog } from "../audit.ts";
import type { EnvironmentImage } from "../contracts/environment.ts";
import type { DockerHostState } from "../contracts/docker_host_state.ts";
import type { JobChanges } from "../jobs/job_changes.ts";
import type { JobStore, SubmitQuota } from "../jobs/store.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import type { Principal } from "./auth/principal.ts";
import type { WebhookDeliveries } from "../webhooks/webhook_deliveries.ts";
import type { WebhookInbox } from "../webhooks/webhook_contract.ts";
import type { SignatureCheck } from "../webhooks/webhook_signature.ts";

/** Context variables. */
export interface ApiEnv {
  Variables: {
    /** Set by the authentication middleware on every `/v1/*` request. */
    principal: Principal;
    /** Set by the request-id middleware; echoed as `X-Request-Id`. */
    requestId: string;
  };
}

/** The app type routes are registered on. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** The part of the worker the API drives. */
export interface JobQueue {
  /** A job was stored: look for work. */
  kick(): void;
  /** Aborts running job `id`; false when it is not running here. */
  cancel(id: string, reason: string): boolean;
}

/** The per-principal limits the API enforces (`QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`, `QUOTA_MAX_STREAMS`). */
export interface ApiQuotas extends SubmitQuota {
  /** Most event streams (SSE) one principal may hold open at once. */
  maxStreams: number;
}

/** What the API needs from the rest of the service; all injected by the composition root. */
export interface ApiDeps {
  store: JobStore;
  queue: JobQueue;
  authenticator: Authenticator;
  audit: AuditLog;
  /** Per-principal quotas; past one, a request gets `429 quota_exceeded`. */
  quotas: ApiQuotas;
  /** Readiness probe of the Docker engine (`/readyz`); rejects when it is unreachable (with `DOCKER_HOSTS`: all are). */
  pingDocker: (signal?: AbortSignal) => Promise<unknown>;
  /**
   * The sandbox image's problems on the engines that answer (missing, or refused by the Docker API
   * proxy), each naming the fix; empty when it is there (`/readyz`'s `image` check). Absent: not checked.
   * `signal` (as `pingDocker`'s) ends the requests to the engines once the probe has its outcome.
   */
  sandboxImage?: (signal?: AbortSignal) => Promise<string[]>;
  /** With `DOCKER_HOSTS`: every engine's state as last pinged (`/readyz` lists them). */
  dockerHosts?: () => Promise<DockerHostState[]>;
  /** Wakes event streams on job changes; without it they poll the store every 500 ms. */
  changes?: JobChanges;
  /** Largest request body, bytes (`API_MAX_BODY_BYTES`). */
  maxBodyBytes: number;
  /** Aborted when the service is stopping: open event streams close so the server can shut down. */
  stopping?: AbortSignal;
  /** The cached environments (`GET /v1/environments`); without it the list is empty. */
  environments?: { list(): Promise<EnvironmentImage[]> };
  /** GitHub webhooks (`POST /v1/webhooks/github`); without it the route answers 404 `webhooks_disabled`. */
  webhooks?: GitHubWebhooks;
  /** Clock for timings. Default `() => new Date()`. */
  now?: () => Date;
}

/** What the webhook route needs: the signature check, the delivery record, where deliveries go. */
export interface GitHubWebhooks {
  verify: SignatureCheck;
  deliveries: WebhookDeliveries;
  inbox: WebhookInbox;
}
