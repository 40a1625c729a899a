/**
 * The policy for `POST /volumes/create`, as a table: a named, labelled volume
 * of the local driver backed by tmpfs, as `buildVolumeBody` makes it, of a
 * size at most `PROXY_MAX_TMPFS_MB`. Other driver options are refused: the
 * local driver's `o=bind` with a `device` path would mount any host directory
 * into a sandbox.
 */
import { LABELS } from "../sandbox/limits.ts";
import { brief, type JsonObject } from "./body_check.ts";
import { checkBodySync, type Fields, type Rule } from "./policy_engine.ts";
import { TMPFS } from "./resource_policy.ts";
import { all, defaultOr, defaultsTo, must, required } from "./rule_combinators.ts";
import { tmpfsSize } from "./tmpfs_size.ts";
import { object, stringMap } from "./type_rules.ts";
import { labelsInclude, mustBe, oneOf } from "./value_rules.ts";

/** A volume name as the engine accepts it (and as the proxy's routes match it). */
export const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const MOUNT_OPTION =
  /^(size=[0-9]{1,12}[kmg]?|uid=[0-9]{1,10}|gid=[0-9]{1,10}|mode=[0-7]{3,4}|nosuid|nodev|noexec)$/;

/** What the volume policy reads: the tmpfs cap. */
interface VolumeSettings {
  caps: { maxTmpfsBytes: number };
}

/** A comma-separated list of the tmpfs mount options above, and nothing else. */
const mountOptions: Rule = (value, ctx) => {
  for (const option of (value as string).split(",")) {
    if (!MOUNT_OPTION.test(option)) ctx.fail(`may not hold ${brief(option)}`);
  }
};

const VOLUME_CREATE: Fields<VolumeSettings> = {
  Name: must(
    (v) => typeof v === "string" && VOLUME_NAME.test(v),
    (v) => `must be a volume name, got ${brief(v)}`,
  ),
  Driver: defaultOr(oneOf("local")),
  Labels: labelsInclude(LABELS.managed),
  DriverOpts: required(
    "must make a tmpfs volume (type=tmpfs, device=tmpfs, o=size=…)",
    all(
      stringMap,
      object({
        type: mustBe("tmpfs"),
        device: mustBe("tmpfs"),
        o: defaultsTo("", all(mountOptions, tmpfsSize(TMPFS))),
      }),
    ),
  ),
};

/**
 * Checks a volume-create body; returns the body to forward.
 * @param maxTmpfsBytes the largest size the volume may have (`PROXY_MAX_TMPFS_MB`).
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkVolumeCreate(body: JsonObject, maxTmpfsBytes: number): JsonObject {
  checkBodySync("POST /volumes/create", body, VOLUME_CREATE, { caps: { maxTmpfsBytes } });
  return body;
}
