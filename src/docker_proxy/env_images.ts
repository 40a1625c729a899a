/**
 * Environment images (`src/environments/`): a repository's dependencies installed by a setup
 * container and committed as `backend-agent/env:<sha256 key>`. The proxy lets sandboxes start from
 * them, and lets the service inspect, list, commit and remove them, and no other image.
 */
import { ENV_IMAGE_REPO } from "../environments/environment_labels.ts";

/** `backend-agent/env:<64 hex>`, exactly. */
export const ENV_IMAGE = new RegExp(`^${ENV_IMAGE_REPO.replace("/", "\\/")}:[0-9a-f]{64}$`);

/** The repository commits go to. */
export { ENV_IMAGE_REPO };
