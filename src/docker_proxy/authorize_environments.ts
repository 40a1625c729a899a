/**
 * The calls that build an environment: its internal network and the egress proxy joining it, the commit
 * of a setup container into an environment image (`backend-agent/env:<key>`), and the images' inspection
 * and removal (`setup_policy.ts`, `env_images.ts`).
 */
import { SETUP_ROLE_LABEL } from "../environments/environment_labels.ts";
import { BOOL, json, type RouteHandlers } from "./authorize_call.ts";
import { ENV_IMAGE, ENV_IMAGE_REPO } from "./env_images.ts";
import { forbidden } from "./refusal.ts";
import { checkCommitBody, checkNetworkConnect, checkNetworkCreate, COMMIT_TAG } from "./setup_policy.ts";

/** `network_create`, `network_connect`, `network_remove`, `commit`, `image_inspect`, `image_remove`. */
export const environmentRoutes: RouteHandlers<
  "network_create" | "network_connect" | "network_remove" | "commit" | "image_inspect" | "image_remove"
> = {
  network_create: ({ p, body }) => {
    const checked = checkNetworkCreate(body());
    return { upstream: { method: "POST", target: `${p}/networks/create`, body: json(checked) } };
  },
  network_connect: async ({ deps, p, ref, call, body }) => {
    const container = checkNetworkConnect(body());
    const network = await deps.ownership.network(ref, true);
    if (!network.internal) {
      throw forbidden(`docker-proxy: ${call} refused: the network must be internal (no route out)`);
    }
    const target = await deps.ownership.container(container);
    if (target.labels[SETUP_ROLE_LABEL] !== "proxy") {
      throw forbidden(
        `docker-proxy: ${call} refused: only an egress proxy container (${SETUP_ROLE_LABEL}=proxy) joins a network`,
      );
    }
    return {
      upstream: {
        method: "POST",
        target: `${p}/networks/${network.id}/connect`,
        body: json({ Container: target.id }),
      },
    };
  },
  network_remove: async ({ deps, p, ref }) => {
    const network = await deps.ownership.network(ref, true);
    return {
      upstream: { method: "DELETE", target: `${p}/networks/${network.id}` },
      after: () => deps.ownership.forget(ref),
    };
  },
  commit: async ({ deps, p, call, body, query }) => {
    const q = query(
      { container: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, repo: /^/, tag: /^/, pause: BOOL },
      "refuse",
    );
    if (q.get("repo") !== ENV_IMAGE_REPO) {
      throw forbidden(`docker-proxy: ${call} refused: repo must be ${ENV_IMAGE_REPO}`);
    }
    if (!COMMIT_TAG.test(q.get("tag") ?? "")) {
      throw forbidden(`docker-proxy: ${call} refused: tag must be an environment key (64 hex characters)`);
    }
    const checked = checkCommitBody(body());
    const setup = await deps.ownership.container(q.get("container") ?? "");
    if (setup.labels[SETUP_ROLE_LABEL] !== "setup") {
      throw forbidden(
        `docker-proxy: ${call} refused: only a setup container (${SETUP_ROLE_LABEL}=setup) is committed`,
      );
    }
    q.set("container", setup.id);
    return { upstream: { method: "POST", target: `${p}/commit?${q}`, body: json(checked) } };
  },
  image_inspect: ({ deps, p, ref, call }) => {
    if (!deps.allowedImages.has(ref) && !ENV_IMAGE.test(ref)) {
      throw forbidden(
        `docker-proxy: ${call} refused: ${ref} is not an allowed image or an environment image`,
      );
    }
    return { upstream: { method: "GET", target: `${p}/images/${ref}/json` } };
  },
  image_remove: ({ p, ref, query }) => {
    query({}, "refuse");
    return { upstream: { method: "DELETE", target: `${p}/images/${ref}` } };
  },
};
