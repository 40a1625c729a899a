/**
 * The Docker implementation of {@link Environments}: a cache hit skips setup; a miss runs setup in
 * a container that reaches out only through the egress proxy, then commits it as
 * `backend-agent/env:<key>` and prunes the cache. One build per key at a time. A build is returned
 * once its image is committed; the removal of its setup's parts, and the making of the spare egress
 * pair the next setup on the engine takes (`spare_pair.ts`), go on meanwhile and are handed to the
 * caller to await (`EnvironmentRequest.defer`).
 */
import type Docker from "dockerode";
import { createHash } from "node:crypto";
import type { EnvironmentResult } from "../contracts/environment.ts";
import { SandboxError } from "../errors.ts";
import { egressAllowlist } from "./egress_allowlist.ts";
import { EnvironmentError } from "./environment_error.ts";
import { environmentKey } from "./environment_key.ts";
import { ENV_LABELS, envImageName } from "./environment_labels.ts";
import type { EnvironmentRequest, Environments } from "./environment_provider.ts";
import type { EnvironmentSettings } from "./environment_settings.ts";
import type { EnvironmentImage } from "../contracts/environment.ts";
import type { EnvironmentCache } from "./image_cache.ts";
import { KeyedLock } from "./keyed_lock.ts";
import { outputTail, readSetupReport } from "./setup_output.ts";
import { setupNames } from "./setup_parts.ts";
import { SetupSession } from "./setup_session.ts";
import { commitSetup, installEnvironment } from "./setup_commit.ts";
import { SparePair } from "./spare_pair.ts";
import { installVerdict } from "./setup_verdict.ts";
import { sandboxImageProblem } from "../sandbox/sandbox_image.ts";

/** Builds and caches environments on one engine. */
export class EnvironmentBuilder implements Environments {
  readonly #lock = new KeyedLock();
  readonly #allowlist: string[];
  readonly #secrets: string[];
  readonly #spare: SparePair | undefined;

  /** @throws TypeError when an allowlisted host is not one the egress proxy can allow. */
  constructor(
    private readonly docker: Docker,
    private readonly cache: EnvironmentCache,
    private readonly settings: EnvironmentSettings,
  ) {
    const indexes = [settings.index, ...settings.extraIndexes];
    this.#allowlist = egressAllowlist(indexes, settings.allowedHosts);
    this.#secrets = indexes.flatMap((i) => i.secrets).sort((a, b) => b.length - a.length);
    this.#spare = settings.spareMaxAgeMs === null ? undefined : new SparePair(docker, {
      allowlist: this.#allowlist,
      limits: settings.limits,
      egressNetwork: settings.egressNetwork,
    }, settings.spareMaxAgeMs);
  }

  /**
   * Removes the spare egress pair; none is made after (builds still run, each making its own).
   * @throws SandboxError naming what could not be removed.
   */
  close(): Promise<void> {
    return this.#spare?.close() ?? Promise.resolve();
  }

  /** Removes the spare egress pair (its engine restarted, which stopped it); a build makes the next. */
  dropSpare(): Promise<void> {
    return this.#spare?.discard() ?? Promise.resolve();
  }

  /** The hosts the egress proxy allows. */
  get allowlist(): readonly string[] {
    return this.#allowlist;
  }

  list(): Promise<EnvironmentImage[]> {
    return this.cache.list();
  }

  /**
   * The cache key of `request`'s spec for its repository on the current base image (with a setup
   * script, of its whole base tree too).
   * @throws SandboxError naming the image and the fix when the base image is missing or the Docker API
   *   proxy does not allow it.
   */
  async key(request: Pick<EnvironmentRequest, "spec" | "repo" | "seed">): Promise<string> {
    const { spec } = request;
    const image = this.settings.limits.image;
    const base = await this.docker.getImage(image).inspect().catch((error: unknown) => {
      const problem = sandboxImageProblem(image, error);
      throw problem ? new SandboxError(problem, { cause: error }) : error;
    });
    return environmentKey({
      repo: request.repo,
      tree: spec.plan.kind === "script" ? createHash("sha256").update(request.seed).digest("hex") : null,
      baseImageId: base.Id,
      spec,
      allowlist: this.#allowlist,
      indexUrl: this.settings.index.publicUrl,
      extraIndexUrls: this.settings.extraIndexes.map((i) => i.publicUrl),
    });
  }

  async prepare(request: EnvironmentRequest): Promise<EnvironmentResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const key = await this.key(request);
    if (request.spec.plan.kind === "none") {
      const result = this.#result(key, this.settings.limits.image, false, null, 0, elapsed());
      await request.report({ phase: "base", result });
      return result;
    }
    return await this.#lock.run(key, async () => {
      request.signal?.throwIfAborted();
      const found = await this.cache.find(key);
      if (found) {
        const labels = found.labels;
        const builtAt = labels[ENV_LABELS.created] ?? null;
        const result = this.#result(
          key,
          envImageName(key),
          true,
          builtAt,
          Number(labels[ENV_LABELS.packages]),
          0,
        );
        await this.cache.touch(key, new Date().toISOString());
        const hit = { ...result, elapsedMs: elapsed() };
        await request.report({ phase: "cache_hit", result: hit });
        return hit;
      }
      await request.report({
        phase: "building",
        key,
        sources: request.spec.sources,
        allowlist: [...this.#allowlist],
      });
      try {
        const built = await this.#build(request, key, started);
        const result = { ...built, elapsedMs: elapsed() };
        await request.report({ phase: "built", result });
        return result;
      } catch (error) {
        if (error instanceof EnvironmentError) {
          await request.report({
            phase: "failed",
            key,
            failure: error.failure,
            reason: error.message,
            output: error.output,
            egress: error.egress,
            elapsedMs: elapsed(),
          });
        }
        throw error;
      }
    }, request.signal);
  }

  /**
   * Builds `key`'s environment in a setup session, then removes the session: handed to
   * `request.defer` when given, else awaited (a removal failure is thrown after a build that
   * succeeded; after a failed one the build's error is).
   */
  async #build(request: EnvironmentRequest, key: string, started: number): Promise<EnvironmentResult> {
    const { settings } = this;
    const pair = await this.#spare?.take();
    const names = setupNames(request.name);
    const session = await SetupSession.open(this.docker, {
      names: pair ? { ...pair.names, setup: names.setup } : names,
      labels: request.labels,
      allowlist: this.#allowlist,
      limits: settings.limits,
      egressNetwork: settings.egressNetwork,
    }, pair);
    const stop = () => {
      session.dispose().catch(() => undefined);
    };
    request.signal?.addEventListener("abort", stop, { once: true });
    let built = false;
    try {
      const result = await this.#run(session, request, key, started);
      built = true;
      return result;
    } catch (error) {
      request.signal?.throwIfAborted();
      throw error;
    } finally {
      request.signal?.removeEventListener("abort", stop);
      // The next setup's spare pair is made while this one's parts are removed.
      const removal = Promise.all([session.dispose(), this.#spare?.replenish()]).then(() => undefined);
      if (request.defer) request.defer(removal);
      else await (built ? removal : removal.catch(() => undefined));
    }
  }

  /** Seeds and installs, then commits the image and reads the egress log; starts the removal. */
  async #run(
    session: SetupSession,
    request: EnvironmentRequest,
    key: string,
    started: number,
  ): Promise<EnvironmentResult> {
    const { settings } = this;
    request.signal?.throwIfAborted();
    const remaining = Math.max(1_000, settings.setupTimeoutMs - (performance.now() - started));
    const env = installEnvironment(settings, session.proxyUrl);
    const run = await session.install(request.spec.plan, request.seed, env, remaining);
    request.signal?.throwIfAborted();
    const tail = outputTail(run.output, this.#secrets);
    const report = readSetupReport(run.output);
    const failed = installVerdict(run.result, report, tail, settings.setupTimeoutMs);
    if (failed || !report || !("packages" in report)) {
      const { message, failure } = failed ?? { message: "setup gave no report", failure: "failed" as const };
      throw new EnvironmentError(message, failure, tail, await session.egress());
    }
    // The proxy's log is read (then the proxy removed) while the image is made.
    const [egress, made] = await Promise.allSettled([
      session.egress().finally(() => session.releaseProxy()),
      commitSetup(session, { secrets: this.#secrets, repo: request.repo, key, packages: report.packages }),
    ]);
    if (egress.status === "rejected") throw egress.reason;
    if (made.status === "rejected") throw made.reason;
    if ("failure" in made.value) {
      throw new EnvironmentError(made.value.message, made.value.failure, tail, egress.value);
    }
    const { builtAt } = made.value;
    // The setup parts are removed while the cache records the use and is pruned (the removal is
    // the session's disposal, which the caller awaits or hands on).
    session.dispose().catch(() => undefined);
    await this.#recordBuild(key, builtAt);
    return {
      ...this.#result(key, envImageName(key), false, builtAt, report.packages, 0),
      egress: egress.value,
    };
  }

  /** Records the build as a use of `key`'s image, then prunes the cache down to `ENV_CACHE_MAX`. */
  async #recordBuild(key: string, builtAt: string): Promise<void> {
    await this.cache.touch(key, builtAt);
    await this.cache.prune(this.settings.cacheMax, key);
  }

  #result(
    key: string,
    image: string,
    cacheHit: boolean,
    builtAt: string | null,
    packages: number,
    elapsedMs: number,
  ): EnvironmentResult {
    return {
      key,
      image,
      cacheHit,
      builtAt,
      packages: Number.isSafeInteger(packages) && packages >= 0 ? packages : 0,
      egress: [],
      elapsedMs,
    };
  }
}
