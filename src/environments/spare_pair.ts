/**
 * A spare egress pair per engine: an internal network and its egress proxy, made while the last
 * setup was removed, so the next setup on the engine finds them running and only starts its setup
 * container. A pair serves one setup: {@link SparePair.take} hands it over (the setup's session then
 * owns and removes it) and the next one is made after that setup. An unused pair is removed by
 * {@link SparePair.close}; after a crash the reaper removes it, as every labelled setup part (its
 * parts carry the managed labels and setup roles, but no job's labels).
 */
import type Docker from "dockerode";
import type { Container } from "dockerode";
import { LABELS } from "../sandbox/limits.ts";
import { spareNames } from "./spare_names.ts";
import {
  type MadeParts,
  removeParts,
  type SetupNames,
  type SetupSessionOptions,
  startEgressPair,
  throwRemovalFailures,
} from "./setup_parts.ts";

/** An internal network and its proxy, running on it and on the egress network. */
export interface EgressPair {
  /** The pair's names (its `setup` name is not used). */
  names: SetupNames;
  proxy: Container;
  /** The pair's parts: the proxy, the internal network, and the egress network when it made one. */
  made: MadeParts;
}

/** What a pair is made from: a setup's options, without its names and labels. */
export type PairOptions = Omit<SetupSessionOptions, "names" | "labels">;

/** Keeps at most one spare pair ready on one engine. */
export class SparePair {
  #spare: { pair: Promise<EgressPair | undefined>; madeAt: number } | undefined;
  #closed = false;

  /**
   * @param maxAgeMs a spare older than this is removed instead of used, so that the reaper
   *   (`SANDBOX_REAP_AFTER_MS`) never removes one under a setup.
   */
  constructor(
    private readonly docker: Docker,
    private readonly options: PairOptions,
    private readonly maxAgeMs: number,
  ) {}

  /**
   * The spare pair (waiting for it if it is being made), or undefined when there is none, it could
   * not be made, it is too old, or its proxy no longer runs on its internal network (the caller
   * then makes its own). A pair is given out once.
   */
  async take(): Promise<EgressPair | undefined> {
    const spare = this.#spare;
    this.#spare = undefined;
    if (!spare) return undefined;
    const pair = await spare.pair;
    if (!pair) return undefined;
    if (Date.now() - spare.madeAt <= this.maxAgeMs && await this.#runs(pair)) return pair;
    await removeParts(pair.made);
    return undefined;
  }

  /**
   * Makes the next spare unless there is one or this is closed; resolves once it is ready or
   * could not be made (what was made of it is then removed). Never rejects.
   */
  replenish(): Promise<void> {
    if (this.#spare || this.#closed) return Promise.resolve();
    const names = spareNames();
    const made: MadeParts = { containers: [], networks: [] };
    const starting = startEgressPair(this.docker, { ...this.options, names, labels: {} }, made);
    const pair = Promise.all([starting.internal, starting.proxy]).then(
      ([, proxy]) => ({ names, proxy, made }),
      async () => {
        await removeParts(made);
        return undefined;
      },
    );
    this.#spare = { pair, madeAt: Date.now() };
    return pair.then(() => undefined);
  }

  /**
   * Removes the spare (once it is made, when it is being made); none is made after. Idempotent.
   * @throws SandboxError naming what could not be removed (the reaper removes it).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const { proxy, failures } = await this.#removeSpare();
    throwRemovalFailures(`the spare egress proxy "${proxy}"`, failures);
  }

  /**
   * Removes the spare, if there is one (an engine that restarted stopped it); the next setup makes
   * its own pair, and a spare after it. What cannot be removed is left to the reaper.
   */
  async discard(): Promise<void> {
    await this.#removeSpare();
  }

  async #removeSpare(): Promise<{ proxy: string; failures: unknown[] }> {
    const spare = this.#spare;
    this.#spare = undefined;
    const pair = await spare?.pair;
    if (!pair) return { proxy: "", failures: [] };
    return { proxy: pair.names.proxy, failures: await removeParts(pair.made) };
  }

  /** Whether the pair's proxy runs and is on its internal network. */
  async #runs(pair: EgressPair): Promise<boolean> {
    const info = await pair.proxy.inspect().catch(() => undefined);
    return info?.State?.Running === true &&
      info.Config?.Labels?.[LABELS.sandbox] === pair.names.proxy &&
      info.NetworkSettings?.Networks?.[pair.names.internalNetwork] !== undefined;
  }
}
