/**
 * The policy for `POST /containers/create`: the body must describe a sandbox
 * as `src/sandbox/hardening.ts` builds it — an allowed image, a non-root user,
 * no privilege, every capability dropped, no-new-privileges, a read-only root,
 * no network, no host namespaces, no devices, resources set and capped (see
 * `resource_policy.ts`), only managed named volumes and tmpfs mounts, the
 * managed label. Any field the policy does not know is refused.
 */
import { LABELS } from "../sandbox/limits.ts";
import { BodyCheck, brief, type JsonObject } from "./body_check.ts";
import { isNonRootUser } from "./non_root_user.ts";
import { ProxyRefusal } from "./refusal.ts";
import { checkResources, type ResourceCaps } from "./resource_policy.ts";

/** What the container policy needs besides the body. */
export interface CreatePolicy {
  allowedImages: ReadonlySet<string>;
  allowedRuntimes: ReadonlySet<string>;
  /** The largest resources one sandbox may ask for. */
  caps: ResourceCaps;
  /** Resolves when `name` is a volume carrying the managed label; throws a ProxyRefusal otherwise. */
  managedVolume(name: string): Promise<unknown>;
}

const CALL = "POST /containers/create";

/** Top-level fields checked only for their type. */
const STRING_LIST_KEYS = ["Cmd", "Entrypoint", "Env"];
const STRING_KEYS = ["WorkingDir", "Hostname", "Domainname", "StopSignal"];
const BOOLEAN_KEYS = [
  "NetworkDisabled",
  "AttachStdin",
  "AttachStdout",
  "AttachStderr",
  "OpenStdin",
  "StdinOnce",
  "Tty",
];

/** Config fields (top level) the sandbox uses or that cannot widen its privileges. */
const CONFIG_KEYS = [
  "name",
  "Image",
  "User",
  "Labels",
  ...STRING_LIST_KEYS,
  ...STRING_KEYS,
  ...BOOLEAN_KEYS,
  "StopTimeout",
  "HostConfig",
];

const HOST_CONFIG_KEYS = [
  "NetworkMode",
  "Privileged",
  "CapAdd",
  "CapDrop",
  "SecurityOpt",
  "ReadonlyRootfs",
  "Binds",
  "Mounts",
  "Tmpfs",
  "Devices",
  "DeviceRequests",
  "DeviceCgroupRules",
  "IpcMode",
  "PidMode",
  "UTSMode",
  "UsernsMode",
  "CgroupnsMode",
  "PidsLimit",
  "Memory",
  "MemorySwap",
  "NanoCpus",
  "Ulimits",
  "Init",
  "RestartPolicy",
  "LogConfig",
  "Runtime",
  "AutoRemove",
];

const NO_NEW_PRIVILEGES = ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"];
const MOUNT_KEYS = ["Type", "Source", "Target", "ReadOnly", "Consistency"];
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks a create body and returns the body to forward (the checked object,
 * without the `name` dockerode copies into it: the name travels in the query).
 * @throws ProxyRefusal 403 naming the first field outside the policy.
 */
export async function checkContainerCreate(body: JsonObject, policy: CreatePolicy): Promise<JsonObject> {
  const check: BodyCheck = new BodyCheck(CALL);
  check.onlyKeys(body, CONFIG_KEYS);
  const image = body.Image;
  if (typeof image !== "string" || !policy.allowedImages.has(image)) {
    check.fail("Image", `${brief(image)} is not an allowed image (${[...policy.allowedImages].join(", ")})`);
  }
  if (!isNonRootUser(body.User)) {
    check.fail("User", `must be a non-root numeric uid[:gid], got ${brief(body.User)}`);
  }
  const labels = check.stringMap(body, "Labels");
  if (labels?.[LABELS.managed] !== "true") check.fail("Labels", `must include ${LABELS.managed}=true`);
  for (const key of STRING_LIST_KEYS) check.optionalStrings(body, key);
  for (const key of STRING_KEYS) check.optionalString(body, key);
  for (const key of BOOLEAN_KEYS) check.optionalBoolean(body, key);
  if (body.StopTimeout != null && !Number.isSafeInteger(body.StopTimeout)) {
    check.fail("StopTimeout", "must be an integer");
  }
  const host = check.object(body, "HostConfig");
  if (!host) check.fail("HostConfig", "is required");
  await checkHostConfig(host, policy, check);
  const { name: _name, ...forward } = body;
  return forward;
}

async function checkHostConfig(host: JsonObject, policy: CreatePolicy, check: BodyCheck): Promise<void> {
  const at = "HostConfig.";
  check.onlyKeys(host, HOST_CONFIG_KEYS, at);
  if (host.NetworkMode !== "none") {
    check.fail(`${at}NetworkMode`, `must be "none", got ${brief(host.NetworkMode)}`);
  }
  if (host.Privileged != null && host.Privileged !== false) check.fail(`${at}Privileged`, "must be false");
  if (host.ReadonlyRootfs !== true) check.fail(`${at}ReadonlyRootfs`, "must be true");
  check.emptyList(host, "CapAdd", at);
  const drop = check.optionalStrings(host, "CapDrop", at) ?? [];
  if (!drop.some((c) => c.toUpperCase() === "ALL")) check.fail(`${at}CapDrop`, 'must contain "ALL"');
  const opts = check.optionalStrings(host, "SecurityOpt", at) ?? [];
  for (const opt of opts) {
    if (!NO_NEW_PRIVILEGES.includes(opt)) {
      check.fail(`${at}SecurityOpt`, `may only hold no-new-privileges, got ${brief(opt)}`);
    }
  }
  if (opts.length === 0) check.fail(`${at}SecurityOpt`, 'must contain "no-new-privileges"');
  for (const key of ["Binds", "Devices", "DeviceRequests", "DeviceCgroupRules"]) {
    check.emptyList(host, key, at);
  }
  for (const key of ["PidMode", "UTSMode", "UsernsMode"]) {
    if (host[key] != null && host[key] !== "") {
      check.fail(`${at}${key}`, `must be empty, got ${brief(host[key])}`);
    }
  }
  if (host.IpcMode != null && !["", "private", "none"].includes(host.IpcMode as string)) {
    check.fail(`${at}IpcMode`, `must be "private" or "none", got ${brief(host.IpcMode)}`);
  }
  if (host.CgroupnsMode != null && !["", "private"].includes(host.CgroupnsMode as string)) {
    check.fail(`${at}CgroupnsMode`, `must be "private", got ${brief(host.CgroupnsMode)}`);
  }
  checkResources(host, policy.caps, check);
  check.optionalBoolean(host, "Init", at);
  check.optionalBoolean(host, "AutoRemove", at);
  checkRestartPolicy(host, check);
  const runtime = check.optionalString(host, "Runtime", at);
  if (runtime && !policy.allowedRuntimes.has(runtime)) {
    check.fail(`${at}Runtime`, `${brief(runtime)} is not an allowed runtime`);
  }
  const tmpfs = check.stringMap(host, "Tmpfs", at) ?? {};
  for (const target of Object.keys(tmpfs)) {
    if (!target.startsWith("/")) {
      check.fail(`${at}Tmpfs`, `targets must be absolute paths, got ${brief(target)}`);
    }
  }
  await checkMounts(host.Mounts, policy, check);
}

async function checkMounts(mounts: unknown, policy: CreatePolicy, check: BodyCheck): Promise<void> {
  if (mounts == null) return;
  if (!Array.isArray(mounts)) check.fail("HostConfig.Mounts", "must be a list");
  for (const [i, mount] of mounts.entries()) {
    const at = `HostConfig.Mounts[${i}].`;
    if (typeof mount !== "object" || mount === null || Array.isArray(mount)) {
      check.fail(at.slice(0, -1), "must be an object");
    }
    // No VolumeOptions: its DriverConfig could create a local volume with o=bind of any host path.
    check.onlyKeys(mount as JsonObject, MOUNT_KEYS, at);
    const m = mount as JsonObject;
    if (m.Type !== "volume") check.fail(`${at}Type`, `must be "volume", got ${brief(m.Type)}`);
    if (typeof m.Source !== "string" || !VOLUME_NAME.test(m.Source)) {
      check.fail(`${at}Source`, "must name an existing managed volume");
    }
    if (typeof m.Target !== "string" || !m.Target.startsWith("/")) {
      check.fail(`${at}Target`, "must be an absolute path");
    }
    check.optionalBoolean(m, "ReadOnly", at);
    check.optionalString(m, "Consistency", at);
    await policy.managedVolume(m.Source).catch((error: unknown) => {
      if (error instanceof ProxyRefusal && (error.status === 403 || error.status === 404)) {
        check.fail(`${at}Source`, `${brief(m.Source)} is not an existing volume with ${LABELS.managed}=true`);
      }
      throw error;
    });
  }
}

function checkRestartPolicy(host: JsonObject, check: BodyCheck): void {
  const restart = check.object(host, "RestartPolicy", "HostConfig.");
  if (!restart) return;
  check.onlyKeys(restart, ["Name", "MaximumRetryCount"], "HostConfig.RestartPolicy.");
  if (!["", "no"].includes(restart.Name as string)) {
    check.fail("HostConfig.RestartPolicy.Name", 'must be "no"');
  }
  if (restart.MaximumRetryCount != null && restart.MaximumRetryCount !== 0) {
    check.fail("HostConfig.RestartPolicy.MaximumRetryCount", "must be 0");
  }
}
