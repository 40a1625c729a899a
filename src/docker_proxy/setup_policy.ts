/**
 * The policies of an environment setup's parts (`src/environments/setup_bodies.ts`), as tables
 * derived from the sandbox's (`create_policy.ts`). What they widen, and nothing more:
 *
 * - a setup container (label `dev.backend-agent.setup-role=setup`): a writable root, and a
 *   managed internal network (no route out) instead of no network; an allowed base image only;
 * - a proxy container (`setup-role=proxy`): exactly `python3 -I /opt/backend-agent/egress_proxy.py
 *   <hosts…>`, read-only root, on a managed internal network or the one egress network the proxy is
 *   told of (`PROXY_EGRESS_NETWORK`);
 * - `POST /networks/create`: an internal bridge with the managed label and nothing else;
 * - `POST /networks/{id}/connect`: a managed proxy container to a managed internal network, no
 *   endpoint settings;
 * - `POST /commit`: a managed setup container into `backend-agent/env:<sha256>`, exactly the
 *   environment labels (`ENV_LABELS`) and the setup role emptied (no `changes`, no config that could
 *   set a user, a command or an environment, no other label).
 */
import { ENV_KEY, ENV_LABELS, SETUP_ROLE_LABEL } from "../environments/environment_labels.ts";
import { PROXY_COMMAND } from "../environments/setup_bodies.ts";
import { LABELS } from "../sandbox/limits.ts";
import { brief, isObject, type JsonObject } from "./body_check.ts";
import { CREATE, type CreatePolicy, HOST_CONFIG } from "./create_policy.ts";
import type { ManagedNetwork } from "./ownership.ts";
import { checkBody, checkBodySync, type Fields, type Rule } from "./policy_engine.ts";
import { forbidden, ProxyRefusal } from "./refusal.ts";
import { all, must, optional } from "./rule_combinators.ts";
import { boolean, object, stringMap, strings } from "./type_rules.ts";
import { emptyList, labelsInclude, listedIn, mustBe } from "./value_rules.ts";

/** A network name the proxy looks up (no path characters). */
export const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** An allowed host of the egress proxy, with an index's own `:port` (as `egress_proxy.py` checks it). */
const HOST =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[1-9]\d{0,4})?$/;
const MAX_PROXY_HOSTS = 64;

/** What the setup policies need besides the sandbox's. */
export interface SetupPolicy extends CreatePolicy {
  /** Resolves to a managed network; throws a ProxyRefusal (403, 404) otherwise. */
  network(name: string): Promise<ManagedNetwork>;
  /** `PROXY_EGRESS_NETWORK`: the network a proxy container may be created on besides managed internal ones. */
  egressNetwork: string | undefined;
}

/** The setup role a create body claims by its label: undefined for a sandbox. */
export function setupRoleOf(body: JsonObject): "setup" | "proxy" | undefined {
  const labels = body.Labels;
  const role = isObject(labels) ? labels[SETUP_ROLE_LABEL] : undefined;
  if (role === undefined || role === null) return undefined;
  if (role === "setup" || role === "proxy") return role;
  throw forbidden(
    `docker-proxy: POST /containers/create refused: Labels.${SETUP_ROLE_LABEL} must be "setup" or "proxy", got ${
      brief(role)
    }`,
  );
}

/** A managed internal network, looked up on the engine. */
function internalNetwork(allowEgress: boolean): Rule<SetupPolicy> {
  return (value, ctx) => {
    if (allowEgress && ctx.settings.egressNetwork !== undefined && value === ctx.settings.egressNetwork) {
      return;
    }
    const wanted = `a managed internal network${allowEgress ? " or PROXY_EGRESS_NETWORK" : ""}`;
    if (typeof value !== "string" || !NETWORK_NAME.test(value)) {
      ctx.fail(`must be ${wanted}, got ${brief(value)}`);
    }
    return ctx.settings.network(value as string).then((network) => {
      if (!network.internal) ctx.fail(`must be ${wanted}, got ${brief(value)} (not internal)`);
    }, (error: unknown) => {
      if (error instanceof ProxyRefusal && (error.status === 403 || error.status === 404)) {
        ctx.fail(`must be ${wanted}, got ${brief(value)}`);
      }
      throw error;
    });
  };
}

/** Exactly the egress proxy's command, with one to 64 plain host names. */
const proxyCommand: Rule = all(
  strings,
  must(
    (v) => {
      const argv = Array.isArray(v) ? v as string[] : [];
      const hosts = argv.slice(PROXY_COMMAND.length);
      return PROXY_COMMAND.every((word, i) => argv[i] === word) && hosts.length > 0 &&
        hosts.length <= MAX_PROXY_HOSTS && hosts.every((h) => h.length <= 259 && HOST.test(h));
    },
    (v) =>
      `must be ${PROXY_COMMAND.join(" ")} followed by 1 to ${MAX_PROXY_HOSTS} host names, got ${brief(v)}`,
  ),
);

const baseImageOnly = listedIn(
  (p: SetupPolicy) => p.allowedImages,
  (v, images) => `${brief(v)} is not an allowed base image (${[...images].join(", ")})`,
);

const roleLabels = (role: "setup" | "proxy"): Rule =>
  all(labelsInclude(LABELS.managed), labelsInclude(SETUP_ROLE_LABEL, role));

/** A setup container: the sandbox's table, with a writable root on a managed internal network. */
const SETUP_CREATE: Fields<SetupPolicy> = {
  ...CREATE,
  Image: baseImageOnly,
  Labels: roleLabels("setup"),
  NetworkDisabled: optional(mustBe(false)),
  HostConfig: object({
    ...HOST_CONFIG,
    NetworkMode: internalNetwork(false),
    ReadonlyRootfs: boolean,
    Mounts: emptyList,
  }),
};

/** A proxy container: the sandbox's table, running only the egress proxy, on its networks. */
const PROXY_CREATE: Fields<SetupPolicy> = {
  ...CREATE,
  Image: baseImageOnly,
  Labels: roleLabels("proxy"),
  Cmd: proxyCommand,
  Entrypoint: emptyList,
  NetworkDisabled: optional(mustBe(false)),
  HostConfig: object({
    ...HOST_CONFIG,
    NetworkMode: internalNetwork(true),
    Mounts: emptyList,
  }),
};

/**
 * Checks the create body of a setup part (`role` from {@link setupRoleOf}); returns the body to forward.
 * @throws ProxyRefusal 403 naming the first field outside the policy.
 */
export async function checkSetupPartCreate(
  body: JsonObject,
  role: "setup" | "proxy",
  policy: SetupPolicy,
): Promise<JsonObject> {
  await checkBody("POST /containers/create", body, role === "setup" ? SETUP_CREATE : PROXY_CREATE, policy);
  const { name: _name, ...forward } = body;
  return forward;
}

const NETWORK_CREATE: Fields = {
  Name: must((v) => typeof v === "string" && NETWORK_NAME.test(v), "must be a network name"),
  CheckDuplicate: optional(boolean),
  Driver: mustBe("bridge"),
  Internal: mustBe(true),
  Labels: labelsInclude(LABELS.managed),
  EnableIPv6: optional(mustBe(false)),
  Attachable: optional(mustBe(false)),
};

/**
 * Checks a network create: an internal bridge carrying the managed label. @returns the body to forward.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkNetworkCreate(body: JsonObject): JsonObject {
  checkBodySync("POST /networks/create", body, NETWORK_CREATE, undefined);
  return body;
}

const NETWORK_CONNECT: Fields = {
  Container: must(
    (v) => typeof v === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(v),
    "must name a container",
  ),
  EndpointConfig: optional(object({})),
};

/**
 * Checks a connect body: a container and no endpoint settings. @returns the container named.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkNetworkConnect(body: JsonObject): string {
  checkBodySync("POST /networks/{id}/connect", body, NETWORK_CONNECT, undefined);
  return body.Container as string;
}

/** The labels of a commit: exactly the environment labels, and the setup role emptied. */
const COMMIT_LABEL_KEYS: readonly string[] = [...Object.values(ENV_LABELS), SETUP_ROLE_LABEL].sort();
/** Longest value of an environment label (a repository's `owner/name` is at most 140 characters). */
const MAX_COMMIT_LABEL = 256;

const commitLabels: Rule = all(
  stringMap,
  must(
    (v) => {
      const labels = v as Record<string, string>;
      const keys = Object.keys(labels).sort();
      return keys.length === COMMIT_LABEL_KEYS.length && keys.every((k, i) => k === COMMIT_LABEL_KEYS[i]) &&
        labels[SETUP_ROLE_LABEL] === "" && keys.every((k) => labels[k]!.length <= MAX_COMMIT_LABEL);
    },
    (v) =>
      `must be exactly ${
        COMMIT_LABEL_KEYS.join(", ")
      } (${SETUP_ROLE_LABEL} empty, values up to ${MAX_COMMIT_LABEL} characters), got ${brief(v)}`,
  ),
);

const COMMIT_BODY: Fields = { Labels: commitLabels };

/**
 * Checks a commit's body: the environment labels only (see {@link commitLabels}), so an image can
 * carry no label that makes a sandbox started from it look like a setup part or like another
 * repository's environment. @returns it to forward.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkCommitBody(body: JsonObject): JsonObject {
  checkBodySync("POST /commit", body, COMMIT_BODY, undefined);
  return body;
}

/**
 * Refuses a sandbox create (no setup role of its own) from an image whose labels carry a non-empty
 * setup role: the engine copies an image's labels onto its containers, so such a sandbox would pass
 * for a setup part (committed, given a network). Environment images carry the role emptied (see
 * {@link checkCommitBody}). `get` looks the image up on the engine.
 * @throws ProxyRefusal 403 naming the image and its role; 404/502 as the look-up answers.
 */
export async function checkSandboxImage(
  image: string,
  get: (target: string) => Promise<{ status: number; json: unknown }>,
): Promise<void> {
  const answer = await get(`/images/${encodeURIComponent(image)}/json`);
  if (answer.status === 404) throw new ProxyRefusal(404, `No such image: ${image}`);
  if (answer.status !== 200 || !isObject(answer.json)) {
    throw new ProxyRefusal(
      502,
      `docker-proxy: cannot inspect image "${image}" (engine status ${answer.status})`,
    );
  }
  const config = answer.json.Config;
  const labels = isObject(config) && isObject(config.Labels) ? config.Labels : {};
  const role = labels[SETUP_ROLE_LABEL];
  if (role !== undefined && role !== null && role !== "") {
    throw forbidden(
      `docker-proxy: POST /containers/create refused: image ${image} carries ${SETUP_ROLE_LABEL}=${
        brief(role)
      }; a sandbox starts only from an image whose setup role is empty`,
    );
  }
}

/** The query of a commit: the tag must be a cache key. */
export const COMMIT_TAG = ENV_KEY;
