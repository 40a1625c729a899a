/**
 * The service's composition root: builds every part from the config and wires
 * them together. `main.ts` serves it over HTTP; the demo and the end-to-end
 * tests build the very same thing.
 */
import type { ApiApp, ApiDeps } from "./api/api_env.ts";
import { createApp } from "./api/app.ts";
import { createApiKeyVerifier } from "./api/auth/api_keys.ts";
import { type Authenticator, createAuthenticator } from "./api/auth/authenticator.ts";
import { createJwtVerifier, remoteJwks } from "./api/auth/jwt_verifier.ts";
import { type AuditLog, createAuditLog } from "./audit.ts";
import type { Config } from "./config.ts";
import type { AuthConfig } from "./config_auth.ts";
import { createJobChanges, notifyingStore } from "./jobs/job_changes.ts";
import type { Job } from "./contracts/job.ts";
import { jobEvents } from "./pipeline/job_event_builders.ts";
import { queueLoggingStore } from "./jobs/job_lifecycle_log.ts";
import type { JobEventStore, JobQueueStore, JobStore } from "./jobs/store.ts";
import { IssueWakeups } from "./jobs/issue_wakeups.ts";
import type { Worker } from "./jobs/worker.ts";
import { buildGitHubWebhooks } from "./webhooks/webhook_wiring.ts";
import type { Pipeline } from "./pipeline/pipeline_contract.ts";
import {
  type EngineReadiness,
  engineReadiness,
  openSandboxHosts,
  sandboxImageReadiness,
} from "./service_hosts.ts";
import { LABELS } from "./sandbox/limits.ts";
import { configureLogging, errorText, logger } from "./logging.ts";
import { buildPipeline, githubCredentials } from "./service_pipeline.ts";
import { openServiceDatabase } from "./service_database.ts";

const serviceLog = logger("service");

/** A built service: the HTTP app plus what runs behind it. */
export interface Service {
  app: ApiApp;
  store: JobStore;
  worker: Worker;
  /** What runs each job (the CLI runs its one job through it). */
  pipeline: Pipeline;
  audit: AuditLog;
  /** Wakes jobs waiting for their `[ops]` sub-issues: call `issueClosed(repo, number)` on `issues.closed`. */
  wakeups: IssueWakeups;
  /**
   * First half of a shutdown: closes open event streams and stops the worker (running jobs are
   * aborted and recorded), so `server.shutdown()` does not wait on them. Idempotent.
   */
  drain(): Promise<void>;
  /** Drains, stops the reaper and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@link buildService}; the defaults are what `deno task start` runs. */
export interface ServiceOptions {
  /** Runs jobs instead of the real pipeline (tests, benchmarks); it creates no sandboxes, so no reaper runs. */
  pipeline?: Pipeline;
  /**
   * Start the worker, after recovering jobs a dead process left `running`. Default true. The CLI
   * passes false: it runs its one job itself and leaves a server's jobs alone.
   */
  worker?: boolean;
  /** Audit sink. Default: `AUDIT_LOG_PATH` or stderr. */
  audit?: AuditLog;
  /** The job store (closed with the service). Default: PostgreSQL at `DATABASE_URL`, else SQLite at `JOBS_DB_PATH`. */
  store?: JobStore;
}

/** How often leftover sandboxes are looked for. */
const REAP_INTERVAL_MS = 10 * 60_000;

/**
 * Builds the service. Removes sandboxes left by a crashed process (labelled,
 * older than `reapAfterMs`, so other live services on the same engine keep
 * theirs, and not of a job the store says is running) before the worker
 * starts, and again every 10 minutes.
 * Needs: the Docker socket, network access to GitHub and Anthropic (or their
 * configured URLs), read/write on the job database's folder.
 */
export async function buildService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  configureLogging();
  const audit = options.audit ?? createAuditLog(config.auditLogPath ? { path: config.auditLogPath } : {});
  const changes = createJobChanges();
  // What a start that fails part-way has made is undone, last first (each step's own failure is
  // logged, so the start's error is the one thrown); a start that succeeds moves it out, for `close`.
  await using undo = new AsyncDisposableStack();
  const database = await openServiceDatabase(config, options.store);
  undo.defer(undoStep(() => database.close()));
  const store = queueLoggingStore(notifyingStore(database.store, changes));
  // The engines: none are used with an injected pipeline (tests and benchmarks of the service).
  const records = options.pipeline ? undefined : database.records();
  const runWorker = options.worker ?? true;
  // Only a replica that takes jobs holds a lease, which frees its slots if it dies; the CLI counts its own.
  const ledger = runWorker && config.jobs.concurrency > 0 ? database.slotLedger : undefined;
  const hosts = records ? await openSandboxHosts(config, records.environmentUses, ledger) : undefined;
  if (hosts) undo.defer(undoStep(() => hosts.close()));
  let reaper: ReturnType<typeof setInterval> | undefined;
  const reapJobSandboxes = async (job: Job) => {
    await hosts?.reap({ withLabels: { [LABELS.job]: job.id } });
  };
  if (hosts) {
    const reap = async () => {
      const reaped = await hosts.reap({
        olderThanMs: config.reapAfterMs,
        // A job that runs longer than SANDBOX_REAP_AFTER_MS (on any replica) keeps its sandbox.
        isLive: async (id) => (await store.get(id))?.status === "running",
      });
      if (reaped.length > 0) {
        serviceLog.info("removed {count} leftover sandbox resources", {
          count: reaped.length,
          names: reaped,
        });
      }
    };
    await reap();
    reaper = setInterval(
      () => reap().catch((e) => serviceLog.warn("reaper failed: {error}", { error: errorText(e) })),
      REAP_INTERVAL_MS,
    );
    undo.defer(undoStep(() => clearInterval(reaper)));
  }
  let pipeline = options.pipeline;
  const wakeups = new IssueWakeups();
  if (!pipeline) {
    pipeline = await buildPipeline(config, {
      hosts: hosts!.placement,
      store,
      audit,
      wakeups,
      progressComments: records!.progressComments,
    });
  }
  // With PostgreSQL, jobs left running by a dead replica are taken over through the queue instead.
  if (runWorker && database.kind === "sqlite") {
    const interrupted = await recoverInterrupted(store, config.jobs.requeueInterrupted);
    // Their sandboxes are leftovers whatever their age: remove them now rather than at the age threshold.
    for (const job of options.pipeline ? [] : interrupted) await reapJobSandboxes(job);
  }
  const worker = await database.startWorker(store, pipeline, {
    run: runWorker,
    changes,
    beforeResume: options.pipeline ? () => Promise.resolve() : reapJobSandboxes,
    concurrency: config.jobs.concurrency,
    deadlineMs: config.jobs.deadlineMs,
    cancelGraceMs: config.jobs.cancelGraceMs,
    requeueInterrupted: config.jobs.requeueInterrupted,
    hostRetries: config.jobs.hostRetries,
    maxRunningPerPrincipal: config.quota.maxRunning,
  });
  undo.defer(undoStep(() => worker.stop()));
  const webhooks = buildGitHubWebhooks(config, {
    credentials: githubCredentials(config),
    store,
    queue: worker,
    audit,
    wakeups,
    ...(database.webhookDeliveries ? { deliveries: database.webhookDeliveries } : {}),
  });
  if (webhooks) undo.defer(undoStep(() => webhooks.close()));
  const stopping = new AbortController();
  const app = createApp({
    store,
    queue: worker,
    authenticator: buildAuthenticator(config.auth),
    audit,
    quotas: {
      maxQueued: config.quota.maxQueued,
      usdPerDay: config.quota.usdPerDay,
      maxStreams: config.quota.maxStreams,
    },
    ...readinessDeps(hosts?.readiness ?? engineReadiness(config)),
    sandboxImage: sandboxImageReadiness(config),
    ...(hosts ? { environments: hosts.environments } : {}),
    changes,
    maxBodyBytes: config.api.maxBodyBytes,
    stopping: stopping.signal,
    ...(webhooks ? { webhooks: webhooks.api } : {}),
  });
  const drain = () => {
    stopping.abort();
    return worker.stop();
  };
  let closed: Promise<void> | undefined;
  undo.move();
  return {
    app,
    store,
    worker,
    pipeline,
    audit,
    wakeups,
    drain,
    close() {
      closed ??= (async () => {
        clearInterval(reaper);
        await drain();
        await hosts?.close();
        await webhooks?.close();
        await database.close();
      })();
      return closed;
    },
  };
}

/** `close`, as a step of undoing a failed start: a failure of its own is logged, not thrown. */
function undoStep(close: () => unknown): () => Promise<void> {
  return async () => {
    try {
      await close();
    } catch (error) {
      serviceLog.warn("cannot undo part of a failed start: {error}", { error: errorText(error) });
    }
  };
}

/** The readiness probes of the engines, as the API takes them. */
function readinessDeps(readiness: EngineReadiness): Pick<ApiDeps, "pingDocker" | "dockerHosts"> {
  return { pingDocker: readiness.ping, ...(readiness.hosts ? { dockerHosts: readiness.hosts } : {}) };
}

/** Verifies callers as configured: JWTs against the JWKS, API key hashes, or nobody (fail closed). */
function buildAuthenticator(auth: AuthConfig): Authenticator {
  return createAuthenticator({
    disabled: auth.disabled,
    ...(auth.jwt ? { jwt: createJwtVerifier(auth.jwt, remoteJwks(auth.jwt.jwksUrl)) } : {}),
    ...(auth.apiKeys.length > 0 ? { apiKey: createApiKeyVerifier(auth.apiKeys) } : {}),
  });
}

/** Start-up: jobs a dead process left `running` fail as `interrupted` (or go back in the queue). */
async function recoverInterrupted(
  store: JobQueueStore & JobEventStore,
  requeue: boolean,
): Promise<Job[]> {
  const jobs = await store.recoverInterrupted({ requeue });
  for (const job of jobs) {
    await store.appendEvent(
      job.id,
      job.status === "queued"
        ? jobEvents.step("interrupted by a restart; back in the queue")
        : job.status === "cancelled"
        ? jobEvents.cancelled(job.reason ?? job.status)
        : jobEvents.error(job.reason ?? job.status),
    );
  }
  if (jobs.length > 0) {
    serviceLog.warn("recovered {count} jobs left running by an earlier process", {
      count: jobs.length,
      jobs: jobs.map((j) => ({ id: j.id, status: j.status })),
    });
  }
  return jobs;
}
