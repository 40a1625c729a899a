/**
 * The policy for `POST /containers/create`, as tables: the body must describe
 * a sandbox as `src/sandbox/hardening.ts` builds it — an allowed image, a
 * non-root user, no privilege, every capability dropped, no-new-privileges, a
 * read-only root, no network, no host namespaces, no devices, resources set
 * and capped (`resource_policy.ts`), only managed named volumes
 * (`mount_policy.ts`) and tmpfs mounts, the managed label. Any field the
 * tables do not list is refused.
 */
import { LABELS } from "../sandbox/limits.ts";
import { brief, type JsonObject } from "./body_check.ts";
import { MOUNT } from "./mount_policy.ts";
import { nonRootUser } from "./non_root_user.ts";
import { ENV_IMAGE } from "./env_images.ts";
import { checkBody, type Fields } from "./policy_engine.ts";
import { RESOURCE_FIELDS, type ResourceCaps } from "./resource_policy.ts";
import { all, defaultOr, must, optional, required } from "./rule_combinators.ts";
import { anything, boolean, integer, listOf, object, string, strings } from "./type_rules.ts";
import {
  containsIgnoringCase,
  emptyList,
  emptyText,
  labelsInclude,
  listedIn,
  mustBe,
  nonEmpty,
  oneOf,
  onlyFrom,
} from "./value_rules.ts";

/** What the container policy needs besides the body. */
export interface CreatePolicy {
  allowedImages: ReadonlySet<string>;
  allowedRuntimes: ReadonlySet<string>;
  /** The largest resources one sandbox may ask for. */
  caps: ResourceCaps;
  /** Resolves when `name` is a volume carrying the managed label; throws a ProxyRefusal otherwise. */
  managedVolume(name: string): Promise<unknown>;
}

const NO_NEW_PRIVILEGES = ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"];

/** The `HostConfig` table of a sandbox (`setup_policy.ts` derives the setup and proxy containers' from it). */
export const HOST_CONFIG: Fields<CreatePolicy> = {
  NetworkMode: mustBe("none"),
  Privileged: optional(mustBe(false)),
  ReadonlyRootfs: mustBe(true),
  CapAdd: emptyList,
  CapDrop: all(optional(strings), containsIgnoringCase("ALL")),
  SecurityOpt: all(
    optional(strings),
    onlyFrom(NO_NEW_PRIVILEGES, "no-new-privileges"),
    nonEmpty('must contain "no-new-privileges"'),
  ),
  Binds: emptyList,
  Devices: emptyList,
  DeviceRequests: emptyList,
  DeviceCgroupRules: emptyList,
  PidMode: emptyText,
  UTSMode: emptyText,
  UsernsMode: emptyText,
  IpcMode: defaultOr(oneOf("private", "none")),
  CgroupnsMode: defaultOr(oneOf("private")),
  ...RESOURCE_FIELDS,
  Init: optional(boolean),
  AutoRemove: optional(boolean),
  RestartPolicy: optional(object({
    Name: must((v) => v === "" || v === "no", 'must be "no"'),
    MaximumRetryCount: optional(mustBe(0)),
  })),
  Runtime: all(
    optional(string),
    defaultOr(
      listedIn((p: CreatePolicy) => p.allowedRuntimes, (v) => `${brief(v)} is not an allowed runtime`),
    ),
  ),
  Mounts: optional(listOf(MOUNT)),
};

/** The top level: config fields the sandbox uses or that cannot widen its privileges. */
export const CREATE: Fields<CreatePolicy> = {
  // dockerode copies the name into the body; it travels in the query and is not forwarded.
  name: anything,
  // An allowed image, or a repository's environment built from one (`backend-agent/env:<sha256>`).
  Image: must(
    (v, { settings }) => typeof v === "string" && (settings.allowedImages.has(v) || ENV_IMAGE.test(v)),
    (v) => `${brief(v)} is not an allowed image or an environment image (backend-agent/env:<sha256>)`,
  ),
  User: nonRootUser,
  Labels: labelsInclude(LABELS.managed),
  Cmd: optional(strings),
  Entrypoint: optional(strings),
  Env: optional(strings),
  WorkingDir: optional(string),
  Hostname: optional(string),
  Domainname: optional(string),
  StopSignal: optional(string),
  NetworkDisabled: optional(boolean),
  AttachStdin: optional(boolean),
  AttachStdout: optional(boolean),
  AttachStderr: optional(boolean),
  OpenStdin: optional(boolean),
  StdinOnce: optional(boolean),
  Tty: optional(boolean),
  StopTimeout: optional(integer),
  HostConfig: required("is required", object(HOST_CONFIG)),
};

/**
 * Checks a create body and returns the body to forward (the checked object,
 * without the `name` dockerode copies into it: the name travels in the query).
 * @throws ProxyRefusal 403 naming the first field outside the policy.
 */
export async function checkContainerCreate(body: JsonObject, policy: CreatePolicy): Promise<JsonObject> {
  await checkBody("POST /containers/create", body, CREATE, policy);
  const { name: _name, ...forward } = body;
  return forward;
}
