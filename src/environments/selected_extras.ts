/**
 * Which optional parts of a project setup installs: the extras (`[project.optional-dependencies]`) and
 * dependency groups (PEP 735 `[dependency-groups]`, uv's `dev-dependencies`, Poetry's groups) a test run
 * needs. Names compare after PEP 503 normalisation (PEP 685 for extras), so `Test` and `TESTS` count.
 */
import { normalizeName } from "./requirement_name.ts";

/** The extras and groups installed, normalised. */
export const SELECTED_EXTRAS: readonly string[] = ["dev", "test", "tests"];

/** True when the extra or group `name` is installed. */
export function isSelectedExtra(name: string): boolean {
  return SELECTED_EXTRAS.includes(normalizeName(name));
}
