/**
 * The environment step of the pipeline: the spec is read once per job from the base snapshot's
 * manifest files (on the host, no repository code runs), then each work item prepares its
 * environment before its sandbox starts. A malformed manifest or a failed setup ends the work item
 * `environment_failed`, with the reason (and setup's last lines, credentials redacted) in the job.
 */
import type { EnvironmentResult, EnvironmentSpec } from "../contracts/environment.ts";
import { EnvironmentError } from "../environments/environment_error.ts";
import type { Environments } from "../environments/environment_provider.ts";
import { readEnvironmentSpec } from "../environments/environment_spec.ts";
import { EnvironmentSpecError } from "../environments/environment_spec_error.ts";
import { MANIFEST_LIMITS } from "../environments/manifest_limits.ts";
import { manifestFilesFrom } from "../environments/manifest_files.ts";
import type { WorkItemEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";

/** The job's environment spec, or why it could not be read (each work item then fails with it). */
export type JobEnvironmentSpec = { spec: EnvironmentSpec } | { problem: string };

/** Reads the spec from the seed archive; a manifest problem is returned, not thrown. */
export async function readJobEnvironmentSpec(seed: Uint8Array): Promise<JobEnvironmentSpec> {
  try {
    return { spec: readEnvironmentSpec(await manifestFilesFrom(seed, MANIFEST_LIMITS), MANIFEST_LIMITS) };
  } catch (error) {
    if (error instanceof EnvironmentSpecError) return { problem: error.message };
    throw error;
  }
}

/** What a work item's environment step gave. */
export type WorkItemEnvironment =
  | { ok: true; spec: EnvironmentSpec; result: EnvironmentResult }
  | { ok: false; reason: string };

/** What {@link prepareWorkItemEnvironment} works from. */
export interface WorkItemEnvironmentInput {
  spec: JobEnvironmentSpec;
  seed: Uint8Array;
  /** `owner/name`. */
  repo: string;
  /** The work item's sandbox name; the setup's parts are named after it. */
  name: string;
  labels: Record<string, string>;
  signal?: AbortSignal;
  /** Takes the setup's removal, which the work item awaits before it ends (`EnvironmentRequest.defer`). */
  defer?(removal: Promise<void>): void;
}

/**
 * Prepares the work item's environment, reporting each step as an `environment` event.
 * @throws whatever is not a setup failure (the engine, an abort).
 */
export async function prepareWorkItemEnvironment(
  environments: Environments,
  input: WorkItemEnvironmentInput,
  say: EmitJobEvent,
  events: WorkItemEvents,
): Promise<WorkItemEnvironment> {
  if ("problem" in input.spec) {
    const reason = `the environment spec cannot be read: ${input.spec.problem}`;
    await say(events.error(reason));
    return { ok: false, reason };
  }
  const { spec } = input.spec;
  try {
    const result = await environments.prepare({
      spec,
      seed: input.seed,
      repo: input.repo,
      name: `${input.name}-env`,
      labels: input.labels,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.defer ? { defer: input.defer } : {}),
      report: (progress) => say(events.environment(progress)),
    });
    return { ok: true, spec, result };
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    return { ok: false, reason: error.output ? `${error.message}\n${error.output}` : error.message };
  }
}
