/**
 * The Docker implementation of {@link Environments}: a cache hit skips setup; a miss runs setup in
 * a container that reaches out only through the egress proxy, then commits it as
 * `backend-agent/env:<key>` and prunes the cache. One build per key at a time.
 */
import type Docker from "dockerode";
import { createHash } from "node:crypto";
import type { EnvironmentResult } from "../contracts/environment.ts";
import { SandboxError } from "../errors.ts";
import { egressAllowlist } from "./egress_allowlist.ts";
import { EnvironmentError } from "./environment_error.ts";
import { environmentKey } from "./environment_key.ts";
import { ENV_LABELS, envImageName, SETUP_ROLE_LABEL } from "./environment_labels.ts";
import type { EnvironmentRequest, Environments } from "./environment_provider.ts";
import type { EnvironmentSettings } from "./environment_settings.ts";
import type { EnvironmentCache, EnvironmentImage } from "./image_cache.ts";
import { KeyedLock } from "./keyed_lock.ts";
import { outputTail, readSetupReport } from "./setup_output.ts";
import { setupNames, SetupSession } from "./setup_session.ts";
import { sandboxImageProblem } from "../sandbox/sandbox_image.ts";

/** Builds and caches environments on one engine. */
export class EnvironmentBuilder implements Environments {
  readonly #lock = new KeyedLock();
  readonly #allowlist: string[];
  readonly #secrets: string[];

  /** @throws TypeError when an allowlisted host is not one the egress proxy can allow. */
  constructor(
    private readonly docker: Docker,
    private readonly cache: EnvironmentCache,
    private readonly settings: EnvironmentSettings,
  ) {
    const indexes = [settings.index, ...settings.extraIndexes];
    this.#allowlist = egressAllowlist(indexes, settings.allowedHosts);
    this.#secrets = indexes.flatMap((i) => i.secrets).sort((a, b) => b.length - a.length);
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

  async #build(request: EnvironmentRequest, key: string, started: number): Promise<EnvironmentResult> {
    const { settings } = this;
    await using session = await SetupSession.open(this.docker, {
      names: setupNames(request.name),
      labels: request.labels,
      allowlist: this.#allowlist,
      limits: settings.limits,
      egressNetwork: settings.egressNetwork,
    });
    const stop = () => {
      session.dispose().catch(() => undefined);
    };
    request.signal?.addEventListener("abort", stop, { once: true });
    try {
      request.signal?.throwIfAborted();
      await session.seed(request.seed);
      const remaining = Math.max(1_000, settings.setupTimeoutMs - (performance.now() - started));
      const run = await session.install(request.spec.plan, this.#installEnv(session.proxyUrl), remaining);
      request.signal?.throwIfAborted();
      // Whatever setup left running is stopped before the scan and the commit (a background process
      // could otherwise write a credential after the scan, or tamper with it), while the proxy's log
      // is read; a failure to stop is thrown once the run's own outcome has been reported.
      const [egress, stopped] = await Promise.all([
        session.egress(),
        session.stopProcesses().then(() => undefined, (error: unknown) => ({ error })),
      ]);
      session.releaseProxy();
      const tail = outputTail(run.output, this.#secrets);
      const report = readSetupReport(run.output);
      if (run.result.timedOut) {
        throw new EnvironmentError(
          `setup ran past SETUP_TIMEOUT_MS (${settings.setupTimeoutMs} ms) and was stopped`,
          "timeout",
          tail,
          egress,
        );
      }
      if (report && "leaked" in report) {
        throw new EnvironmentError(
          `setup wrote the package index credentials into ${report.leaked.slice(0, 5).join(", ")}; ` +
            "nothing was cached. Make the setup script pass them only through the environment",
          "leaked",
          tail,
          egress,
        );
      }
      if (run.result.exitCode !== 0 || !report) {
        const last = tail.split("\n").at(-1) ?? "";
        throw new EnvironmentError(
          `setup exited ${run.result.exitCode}: ${last}`.trim(),
          "failed",
          tail,
          egress,
        );
      }
      if (stopped) throw stopped.error;
      const [scanned, addedBytes] = await Promise.all([this.#scan(session), session.addedBytes()]);
      if (!("leaked" in scanned)) {
        throw new EnvironmentError(
          `the credential scan after setup gave no report (exit ${scanned.exitCode}); nothing was cached`,
          "failed",
          tail,
          egress,
        );
      }
      if (scanned.leaked.length > 0) {
        throw new EnvironmentError(
          `setup wrote the package index credentials into ${scanned.leaked.slice(0, 5).join(", ")}; ` +
            "nothing was cached. Make the setup script pass them only through the environment",
          "leaked",
          tail,
          egress,
        );
      }
      const builtAt = new Date().toISOString();
      const labels = {
        // A commit keeps the container's labels and cannot drop one: the setup role is emptied, so
        // sandboxes started from the image are not taken for setup containers.
        [SETUP_ROLE_LABEL]: "",
        [ENV_LABELS.repo]: request.repo,
        [ENV_LABELS.key]: key,
        [ENV_LABELS.created]: builtAt,
        [ENV_LABELS.size]: String(addedBytes),
        [ENV_LABELS.packages]: String(report.packages),
      };
      await session.commit(key, labels);
      // The setup parts are removed while the cache records the use and is pruned (a failed
      // removal is thrown by the disposal at the end of this scope, as on every path).
      await Promise.all([
        session.dispose().catch(() => undefined),
        this.cache.touch(key, builtAt).then(() => this.cache.prune(settings.cacheMax, key)),
      ]);
      return { ...this.#result(key, envImageName(key), false, builtAt, report.packages, 0), egress };
    } catch (error) {
      request.signal?.throwIfAborted();
      throw error;
    } finally {
      request.signal?.removeEventListener("abort", stop);
    }
  }

  /**
   * Searches what setup wrote for the index credentials (after every setup process was stopped).
   * With no credentials configured there is nothing to find, and no scan runs.
   */
  async #scan(session: SetupSession): Promise<{ leaked: string[] } | { exitCode: number | null }> {
    if (this.#secrets.length === 0) return { leaked: [] };
    const scan = await session.scan([`BACKEND_AGENT_SECRETS=${this.#secrets.join("\n")}`]);
    const report = readSetupReport(scan.output);
    return report && "leaked" in report ? report : { exitCode: scan.result.exitCode };
  }

  /** The setup program's own environment: the proxy and the indexes (credentials included). */
  #installEnv(proxyUrl: string): string[] {
    const { index, extraIndexes } = this.settings;
    const plainHttp = [index, ...extraIndexes].filter((i) => i.publicUrl.startsWith("http:"));
    return [
      `HTTP_PROXY=${proxyUrl}`,
      `HTTPS_PROXY=${proxyUrl}`,
      `http_proxy=${proxyUrl}`,
      `https_proxy=${proxyUrl}`,
      "NO_PROXY=",
      "no_proxy=",
      `PIP_INDEX_URL=${index.url}`,
      ...(extraIndexes.length > 0 ? [`PIP_EXTRA_INDEX_URL=${extraIndexes.map((i) => i.url).join(" ")}`] : []),
      ...(plainHttp.length > 0 ? [`PIP_TRUSTED_HOST=${plainHttp.map((i) => i.host).join(" ")}`] : []),
      "PIP_NO_CACHE_DIR=1",
      "PIP_DISABLE_PIP_VERSION_CHECK=1",
      "PIP_ROOT_USER_ACTION=ignore",
    ];
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
