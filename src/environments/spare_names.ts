/** The names of spare egress pairs (`spare_pair.ts`), which the reaper recognises. */
import { type SetupNames, setupNames } from "./setup_parts.ts";

const PREFIX = "backend-agent-spare-";

/** A new spare pair's names: `backend-agent-spare-<8 hex>-env-proxy`, `…-internal`, `…-egress`. */
export function spareNames(): SetupNames {
  return setupNames(`${PREFIX}${crypto.randomUUID().slice(0, 8)}-env`);
}

/** A spare pair's internal network name; group 1 is the pair's base name. */
export const SPARE_INTERNAL_NETWORK = new RegExp(`^(${PREFIX}[0-9a-f]{8}-env)-internal$`);
