/**
 * Names and labels of what environments put in Docker: the cached images
 * (`backend-agent/env:<key>`) and a setup's containers and networks.
 */
import { LABELS } from "../sandbox/limits.ts";

/** The repository every environment image is tagged in; the tag is the cache key. */
export const ENV_IMAGE_REPO = "backend-agent/env";

/** A cache key: SHA-256, lower-case hex. */
export const ENV_KEY = /^[0-9a-f]{64}$/;

/** `backend-agent/env:<key>`. */
export function envImageName(key: string): string {
  return `${ENV_IMAGE_REPO}:${key}`;
}

/** Label keys on environment images (images are immutable: none of these changes after the commit). */
export const ENV_LABELS = {
  /** `owner/name` of the repository it was built for. */
  repo: "dev.backend-agent.env.repo",
  /** The cache key (also the tag). */
  key: "dev.backend-agent.env.key",
  /** When it was built, ISO 8601. */
  created: "dev.backend-agent.env.created",
  /** Bytes setup added to the base image (the setup container's writable layer). */
  size: "dev.backend-agent.env.size",
  /** Distributions installed in /opt/venv. */
  packages: "dev.backend-agent.env.packages",
} as const;

/**
 * What a setup's containers and networks are: besides the managed, name and created-at labels
 * every sandbox resource carries (`sandbox/limits.ts`), so the reaper sweeps them too.
 */
export const SETUP_ROLE_LABEL = "dev.backend-agent.setup-role";

/** The roles of {@link SETUP_ROLE_LABEL}. */
export type SetupRole = "setup" | "proxy" | "internal-network" | "egress-network";

/** Labels of one setup resource named `name`. */
export function setupLabels(
  name: string,
  role: SetupRole,
  labels: Readonly<Record<string, string>>,
  createdAt: number,
): Record<string, string> {
  return {
    ...labels,
    [LABELS.managed]: "true",
    [LABELS.sandbox]: name,
    [LABELS.createdAt]: String(createdAt),
    [SETUP_ROLE_LABEL]: role,
  };
}
