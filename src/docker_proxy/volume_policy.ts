/**
 * The policy for `POST /volumes/create`: a named, labelled volume of the
 * local driver backed by tmpfs, as `buildVolumeBody` makes it, of a size at
 * most `PROXY_MAX_TMPFS_MB`. Other driver options are refused: the local
 * driver's `o=bind` with a `device` path would mount any host directory into a
 * sandbox.
 */
import { LABELS } from "../sandbox/limits.ts";
import { BodyCheck, brief, type JsonObject } from "./body_check.ts";
import { checkTmpfsSize } from "./tmpfs_size.ts";

const MOUNT_OPTION =
  /^(size=[0-9]{1,12}[kmg]?|uid=[0-9]{1,10}|gid=[0-9]{1,10}|mode=[0-7]{3,4}|nosuid|nodev|noexec)$/;

/**
 * Checks a volume-create body; returns the body to forward.
 * @param maxTmpfsBytes the largest size the volume may have (`PROXY_MAX_TMPFS_MB`).
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkVolumeCreate(body: JsonObject, maxTmpfsBytes: number): JsonObject {
  const check: BodyCheck = new BodyCheck("POST /volumes/create");
  check.onlyKeys(body, ["Name", "Driver", "DriverOpts", "Labels"]);
  if (typeof body.Name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(body.Name)) {
    check.fail("Name", `must be a volume name, got ${brief(body.Name)}`);
  }
  if (body.Driver != null && body.Driver !== "" && body.Driver !== "local") {
    check.fail("Driver", `must be "local", got ${brief(body.Driver)}`);
  }
  const labels = check.stringMap(body, "Labels");
  if (labels?.[LABELS.managed] !== "true") check.fail("Labels", `must include ${LABELS.managed}=true`);
  const opts = check.stringMap(body, "DriverOpts");
  if (!opts) check.fail("DriverOpts", "must make a tmpfs volume (type=tmpfs, device=tmpfs, o=size=…)");
  check.onlyKeys(opts, ["type", "device", "o"], "DriverOpts.");
  if (opts.type !== "tmpfs") check.fail("DriverOpts.type", `must be "tmpfs", got ${brief(opts.type)}`);
  if (opts.device !== "tmpfs") check.fail("DriverOpts.device", `must be "tmpfs", got ${brief(opts.device)}`);
  const options = (opts.o ?? "").split(",");
  for (const option of options) {
    if (!MOUNT_OPTION.test(option)) check.fail("DriverOpts.o", `may not hold ${brief(option)}`);
  }
  checkTmpfsSize(opts.o ?? "", "DriverOpts.o", maxTmpfsBytes, "PROXY_MAX_TMPFS_MB", check);
  return body;
}
