import { describe, expect, test } from "vitest";
import { readProxyConfig } from "../../src/docker_proxy/config.ts";
import { checkContainerCreate } from "../../src/docker_proxy/create_policy.ts";
import { checkExecCreate, checkExecStart } from "../../src/docker_proxy/exec_policy.ts";
import { managedFilters } from "../../src/docker_proxy/list_filters.ts";
import { ProxyConfigError, ProxyRefusal } from "../../src/docker_proxy/refusal.ts";
import { DEFAULT_RESOURCE_CAPS } from "../../src/docker_proxy/resource_policy.ts";
import { matchRoute } from "../../src/docker_proxy/routes.ts";
import { checkVolumeCreate } from "../../src/docker_proxy/volume_policy.ts";
import { buildCreateBody, buildVolumeBody } from "../../src/sandbox/hardening.ts";
import { DEFAULT_SANDBOX_LIMITS, SANDBOX_USER } from "../../src/sandbox/limits.ts";

const policy = (runtimes: string[] = []) => ({
  allowedImages: new Set([DEFAULT_SANDBOX_LIMITS.image]),
  allowedRuntimes: new Set(runtimes),
  caps: DEFAULT_RESOURCE_CAPS,
  managedVolume: () => Promise.resolve(),
});
const body = (runtime?: string) =>
  buildCreateBody(
    { name: "s", volume: "s-workspace", labels: {} },
    { ...DEFAULT_SANDBOX_LIMITS, ...(runtime ? { runtime } : {}) },
  ) as unknown as Record<string, unknown>;

describe("the create policy matches the hardening module", () => {
  test("buildCreateBody passes unchanged, minus the name (which travels in the query)", async () => {
    const { name: _, ...rest } = body();
    expect(await checkContainerCreate(body(), policy())).toEqual(rest);
  });

  test("a runtime passes only when PROXY_ALLOWED_RUNTIMES lists it", async () => {
    await expect(checkContainerCreate(body("runsc"), policy(["runsc"]))).resolves.toBeDefined();
    await expect(checkContainerCreate(body("runsc"), policy())).rejects.toThrow(
      /Runtime "runsc" is not an allowed runtime/,
    );
  });

  test("an unknown field is refused by name, and a missing HostConfig is refused", async () => {
    await expect(checkContainerCreate({ ...body(), Volumes: { "/data": {} } }, policy())).rejects.toThrow(
      /refused: Volumes is not allowed/,
    );
    const { HostConfig: _, ...bare } = body();
    await expect(checkContainerCreate(bare, policy())).rejects.toThrow(/HostConfig is required/);
  });

  test("a missing memory limit or swap above it is refused", async () => {
    const b = body();
    delete (b.HostConfig as Record<string, unknown>).Memory;
    await expect(checkContainerCreate(b, policy())).rejects.toThrow(/HostConfig\.Memory must be set/);
    const swap = body();
    (swap.HostConfig as Record<string, unknown>).MemorySwap = -1;
    await expect(checkContainerCreate(swap, policy())).rejects.toThrow(/MemorySwap must equal Memory/);
  });

  test("buildVolumeBody passes; bind, host devices and unbounded tmpfs do not", () => {
    const volume = buildVolumeBody("v", DEFAULT_SANDBOX_LIMITS, {}) as unknown as Record<string, unknown>;
    const check = (v: Record<string, unknown>) => checkVolumeCreate(v, DEFAULT_RESOURCE_CAPS.maxTmpfsBytes);
    expect(check(volume)).toEqual(volume);
    const opts = (o: string) => ({ ...volume, DriverOpts: { type: "tmpfs", device: "tmpfs", o } });
    expect(() => check(opts("size=1m,bind"))).toThrow(/DriverOpts\.o may not hold "bind"/);
    expect(() => check(opts("uid=1000"))).toThrow(/DriverOpts\.o must set a size/);
    expect(() => check({ ...volume, DriverOpts: { type: "tmpfs", device: "/dev/sda", o: "size=1m" } }))
      .toThrow(/DriverOpts\.device must be "tmpfs"/);
    expect(() => check({ ...volume, Driver: "rexray" })).toThrow(/Driver must be "local"/);
  });

  test("exec bodies as the sandbox sends them pass; start bodies keep only what the engine reads", () => {
    const exec = {
      Cmd: ["bash"],
      User: SANDBOX_USER,
      WorkingDir: "/workspace",
      Env: [],
      AttachStdin: true,
      Tty: false,
    };
    expect(checkExecCreate(exec)).toEqual(exec);
    expect(() => checkExecCreate({ ...exec, User: "" })).toThrow(/User must be a non-root/);
    expect(() => checkExecCreate({ ...exec, privileged: true })).toThrow(/privileged is not allowed/);
    expect(checkExecStart({ hijack: true, stdin: true })).toEqual({ Detach: false, Tty: false });
  });
});

describe("User is a numeric uid:gid, neither of them 0", () => {
  const accepted = ["1000:1000", "1:1", "1001:1000", "4294967295:4294967295"];
  const refused = [
    "1000", // no group: runs as group 0 when the image's /etc/passwd does not know the uid
    "1234",
    "1000:0",
    "0:1000",
    "0:0",
    "0",
    "1000:",
    ":1000",
    "01000:1000",
    "1000:01000",
    "1000:1000:1000",
    " 1000:1000",
    "1000:1000\n",
    "root",
    "sandbox",
    "1000:sandbox",
    "sandbox:1000",
    "",
  ];
  const create = (user: unknown) => {
    const b = body();
    if (user === undefined) delete b.User;
    else b.User = user;
    return checkContainerCreate(b, policy());
  };

  test.each(accepted)("create accepts %j", async (user) => {
    await expect(create(user)).resolves.toMatchObject({ User: user });
  });

  test.each([...refused, 1000, null, undefined])(
    "create refuses %j, naming the form it needs",
    async (user) => {
      await expect(create(user)).rejects.toThrow(
        /^docker-proxy: POST \/containers\/create refused: User must be a non-root numeric uid:gid \(both non-zero; a uid alone runs as group 0\), got /,
      );
    },
  );

  test.each(refused)("exec refuses %j", (user) => {
    expect(() => checkExecCreate({ Cmd: ["id"], User: user })).toThrow(
      /^docker-proxy: POST \/containers\/\{id\}\/exec refused: User must be a non-root numeric uid:gid/,
    );
  });

  test("what the service sends passes: the sandbox user in its create body and its execs", async () => {
    expect(SANDBOX_USER).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    await expect(create(SANDBOX_USER)).resolves.toBeDefined();
    expect(checkExecCreate({ Cmd: ["id"], User: SANDBOX_USER })).toBeDefined();
  });
});

describe("routes and listings", () => {
  test("routes match with and without a version prefix, and nothing else matches", () => {
    expect(matchRoute("POST", "/v1.41/exec/" + "a".repeat(64) + "/start")).toMatchObject({
      name: "exec_start",
      prefix: "/v1.41",
    });
    expect(matchRoute("HEAD", "/_ping").name).toBe("ping");
    expect(matchRoute("DELETE", "/containers/abc?force=true&v=true")).toMatchObject({
      name: "container_remove",
      ref: "abc",
    });
    for (
      const [method, target] of [["POST", "/images/create"], ["POST", "/containers/x/archive"], [
        "GET",
        "/v2.0/_ping",
      ]]
    ) {
      expect(() => matchRoute(method!, target!)).toThrow(ProxyRefusal);
    }
  });

  test("listing filters always carry the managed label, whatever the caller sends", () => {
    expect(JSON.parse(managedFilters(null))).toEqual({ label: ["dev.backend-agent.managed=true"] });
    expect(JSON.parse(managedFilters('{"label":{"a=b":true},"status":["exited"]}'))).toEqual({
      label: ["a=b", "dev.backend-agent.managed=true"],
      status: ["exited"],
    });
    expect(() => managedFilters('{"label":"x"}')).toThrow(/filters\.label must be a list/);
  });

  test("the settings are validated, naming each bad one", () => {
    expect(readProxyConfig({})).toMatchObject({
      hostname: "127.0.0.1",
      port: 2375,
      upstreamSocket: "/var/run/docker.sock",
    });
    expect(() => readProxyConfig({ PROXY_LISTEN: "2375", PROXY_MAX_CONNECTIONS: "0" })).toThrow(
      ProxyConfigError,
    );
    expect(() => readProxyConfig({ PROXY_LISTEN: "2375", PROXY_MAX_CONNECTIONS: "0" })).toThrow(
      /PROXY_LISTEN must be host:port.*PROXY_MAX_CONNECTIONS must be a positive integer/,
    );
  });
});
