/**
 * One entry of a create body's `HostConfig.Mounts`: a named volume that exists
 * and carries the managed label, at an absolute path. No bind mounts, and no
 * `VolumeOptions`: its DriverConfig could create a local volume with `o=bind`
 * of any host path.
 */
import { LABELS } from "../sandbox/limits.ts";
import { brief, isObject, type JsonObject } from "./body_check.ts";
import type { Rule } from "./policy_engine.ts";
import { ProxyRefusal } from "./refusal.ts";
import { all, must, optional } from "./rule_combinators.ts";
import { boolean, object, string } from "./type_rules.ts";
import { mustBe } from "./value_rules.ts";
import { VOLUME_NAME } from "./volume_policy.ts";

/** What the mount rule needs: the managed-volume look-up. */
export interface VolumeLookup {
  /** Resolves when `name` is a volume carrying the managed label; throws a ProxyRefusal otherwise. */
  managedVolume(name: string): Promise<unknown>;
}

/** Looks the mount's volume up once its fields have passed; a missing or foreign volume is refused. */
const managedSource: Rule<VolumeLookup> = (mount, ctx) => {
  const m = mount as JsonObject;
  return ctx.settings.managedVolume(m.Source as string).then(() => undefined, (error: unknown) => {
    if (error instanceof ProxyRefusal && (error.status === 403 || error.status === 404)) {
      ctx.child("Source", m).fail(`${brief(m.Source)} is not an existing volume with ${LABELS.managed}=true`);
    }
    throw error;
  });
};

/** The rule for one mount. */
export const MOUNT: Rule<VolumeLookup> = all(
  object({
    Type: mustBe("volume"),
    Source: must((v) => typeof v === "string" && VOLUME_NAME.test(v), "must name an existing managed volume"),
    Target: must((v) => typeof v === "string" && v.startsWith("/"), "must be an absolute path"),
    ReadOnly: optional(boolean),
    Consistency: optional(string),
  }),
  managedSource,
);

/**
 * The volume names a create body's `HostConfig.Mounts` mention (valid names only, before any check), for
 * holding them while the create is checked and sent.
 */
export function mountedVolumeNames(body: JsonObject): string[] {
  const hostConfig = body.HostConfig;
  const mounts = isObject(hostConfig) && Array.isArray(hostConfig.Mounts) ? hostConfig.Mounts : [];
  return mounts.flatMap((m: unknown) =>
    isObject(m) && typeof m.Source === "string" && VOLUME_NAME.test(m.Source) ? [m.Source] : []
  );
}
