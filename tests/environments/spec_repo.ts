/** Fixture repositories for the spec tests: repo-relative path → text, as the reader's file map. */
import { readEnvironmentSpec } from "../../src/environments/environment_spec.ts";
import { MANIFEST_LIMITS, type ManifestLimits } from "../../src/environments/manifest_limits.ts";
import type { EnvironmentSpec } from "../../src/contracts/environment.ts";

/** The reader's input for `files`. */
export function repo(files: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));
}

/** The spec of the fixture repository `files`. */
export function specOf(
  files: Record<string, string>,
  limits: ManifestLimits = MANIFEST_LIMITS,
): EnvironmentSpec {
  return readEnvironmentSpec(repo(files), limits);
}

/** The one `pip install` argument list of `files`' plan. */
export function pipArgs(files: Record<string, string>): string[] {
  const plan = specOf(files).plan;
  if (plan.kind !== "pip") throw new Error(`expected a pip plan, got ${plan.kind}`);
  expectOne(plan.installs);
  return plan.installs[0]!;
}

function expectOne(installs: string[][]): void {
  if (installs.length !== 1) throw new Error(`expected one pip install, got ${installs.length}`);
}
