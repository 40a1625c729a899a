import type { ContainerCreateOptions } from "dockerode";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildCreateBody, buildVolumeBody } from "../../src/sandbox/hardening.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { testLimits } from "../sandbox/sandbox_fixture.ts";
import {
  containerExists,
  direct,
  type ProxyUnderTest,
  rawExchange,
  refusalOf,
  startTestProxy,
  uniqueName,
  volumeExists,
} from "./proxy_fixture.ts";

/** A body exactly as the service builds it, for `name`, mounting `volume`. */
function sandboxBody(name: string, volume: string): ContainerCreateOptions {
  return buildCreateBody({ name, volume, labels: { "dev.backend-agent.test": "true" } }, testLimits());
}

describe("the proxy refuses what the service never asks for, and the engine never sees it", () => {
  let under: ProxyUnderTest;
  const volume = uniqueName("vol");
  let outsider: string;

  beforeAll(async () => {
    under = startTestProxy();
    await under.docker.createVolume(buildVolumeBody(volume, testLimits(), {}));
    const container = await direct.createContainer({
      name: uniqueName("unlabelled"),
      Image: testLimits().image,
      Cmd: ["sleep", "infinity"],
      User: "1000:1000",
      Labels: { "dev.backend-agent.test": "true" },
      HostConfig: { NetworkMode: "none" },
    });
    await container.start();
    outsider = container.id;
  });

  afterAll(async () => {
    await direct.getContainer(outsider).remove({ force: true }).catch(() => undefined);
    await direct.getVolume(volume).remove({ force: true }).catch(() => undefined);
    await under?.proxy.close();
  });

  /** Sends a create through the proxy and expects a 403 naming `field`, and no container upstream. */
  async function expectCreateRefused(mutate: (body: ContainerCreateOptions) => void, field: RegExp) {
    const name = uniqueName("refused");
    const body = sandboxBody(name, volume);
    mutate(body);
    const refusal = await refusalOf(under.docker.createContainer(body));
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(/^docker-proxy: POST \/containers\/create refused: /);
    expect(refusal.message).toMatch(field);
    expect(await containerExists(name)).toBe(false);
    return refusal.message;
  }

  test("the service's own create body passes (the control for every refusal below)", async () => {
    const name = uniqueName("control");
    const container = await under.docker.createContainer(sandboxBody(name, volume));
    try {
      expect(await containerExists(name)).toBe(true);
    } finally {
      await container.remove({ force: true });
    }
  });

  test("a privileged container is refused", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.Privileged = true;
    }, /HostConfig\.Privileged must be false/);
  });

  test("a bind mount of the host's root is refused, as Binds and as a bind Mount", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.Binds = ["/:/host"];
    }, /HostConfig\.Binds must be empty, got \["\/:\/host"\]/);
    await expectCreateRefused((b) => {
      b.HostConfig!.Mounts = [{ Type: "bind", Source: "/", Target: "/host" }];
    }, /HostConfig\.Mounts\[0\]\.Type must be "volume", got "bind"/);
  });

  test("the host network is refused", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.NetworkMode = "host";
    }, /HostConfig\.NetworkMode must be "none", got "host"/);
  });

  test("added capabilities are refused", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.CapAdd = ["SYS_ADMIN"];
    }, /HostConfig\.CapAdd must be empty, got \["SYS_ADMIN"\]/);
  });

  test("root is refused, by name, by uid and by leaving User out", async () => {
    await expectCreateRefused((b) => {
      b.User = "root";
    }, /User must be a non-root numeric uid:gid \(both non-zero; a uid alone runs as group 0\), got "root"/);
    await expectCreateRefused((b) => {
      b.User = "0:0";
    }, /User must be a non-root/);
    await expectCreateRefused((b) => {
      delete b.User;
    }, /User must be a non-root/);
  });

  test("a uid without a group is refused in a create and in an exec: it would run as group 0", async () => {
    // The premise, on the engine directly: a uid the image's /etc/passwd does not know gets gid 0.
    const probe = await direct.createContainer({
      Image: testLimits().image,
      Cmd: ["id", "-g"],
      User: "1234",
      Labels: { "dev.backend-agent.test": "true" },
      HostConfig: { NetworkMode: "none" },
    });
    try {
      await probe.start();
      await probe.wait();
      const logs = await probe.logs({ stdout: true, stderr: false });
      expect(logs.subarray(8).toString().trim()).toBe("0");
    } finally {
      await probe.remove({ force: true });
    }
    for (const user of ["1234", "1000", "1000:0", "1000:"]) {
      await expectCreateRefused((b) => {
        b.User = user;
      }, new RegExp(`User must be a non-root numeric uid:gid \\(both non-zero; .*\\), got "${user}"$`));
    }
    const container = await under.docker.createContainer(sandboxBody(uniqueName("bare-uid"), volume));
    try {
      await container.start();
      for (const user of ["1234", "1000"]) {
        const refusal = await refusalOf(container.exec({ Cmd: ["touch", `/tmp/ran-${user}`], User: user }));
        expect(refusal.status).toBe(403);
        expect(refusal.message).toMatch(/^docker-proxy: POST \/containers\/.*\/exec refused: User must be/);
      }
      const exec = await direct.getContainer(container.id).exec({
        Cmd: ["ls", "/tmp"],
        User: "1000:1000",
        AttachStdout: true,
      });
      const stream = await exec.start({});
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream) chunks.push(chunk as Uint8Array);
      expect(new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])))).not.toContain("ran-");
    } finally {
      await container.remove({ force: true });
    }
  });

  test("a container without the managed label is refused", async () => {
    await expectCreateRefused((b) => {
      delete b.Labels![LABELS.managed];
    }, /Labels must include dev\.backend-agent\.managed=true/);
  });

  test("an image outside PROXY_ALLOWED_IMAGES is refused", async () => {
    await expectCreateRefused((b) => {
      b.Image = "backend-agent/service:latest";
    }, /Image "backend-agent\/service:latest" is not an allowed image/);
  });

  test("the engine's lenient spellings cannot smuggle a field past the policy", async () => {
    // Go's JSON decoder matches keys case-insensitively, and the engine still reads HostConfig fields at the top level.
    await expectCreateRefused((b) => {
      (b as Record<string, unknown>).Privileged = true;
    }, /Privileged is not allowed/);
    await expectCreateRefused((b) => {
      (b.HostConfig as Record<string, unknown>).privileged = true;
    }, /HostConfig\.privileged is not allowed/);
    await expectCreateRefused((b) => {
      (b as Record<string, unknown>).Binds = ["/:/host"];
    }, /Binds is not allowed/);
  });

  test("host namespaces, devices, weakened security options and unknown runtimes are refused", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.PidMode = "host";
    }, /HostConfig\.PidMode must be empty, got "host"/);
    await expectCreateRefused((b) => {
      b.HostConfig!.IpcMode = "host";
    }, /HostConfig\.IpcMode/);
    await expectCreateRefused((b) => {
      b.HostConfig!.UsernsMode = "host";
    }, /HostConfig\.UsernsMode/);
    await expectCreateRefused((b) => {
      b.HostConfig!.Devices = [{
        PathOnHost: "/dev/sda",
        PathInContainer: "/dev/sda",
        CgroupPermissions: "rwm",
      }];
    }, /HostConfig\.Devices must be empty/);
    await expectCreateRefused((b) => {
      b.HostConfig!.SecurityOpt = ["no-new-privileges", "seccomp=unconfined"];
    }, /HostConfig\.SecurityOpt may only hold no-new-privileges, got "seccomp=unconfined"/);
    await expectCreateRefused((b) => {
      b.HostConfig!.ReadonlyRootfs = false;
    }, /HostConfig\.ReadonlyRootfs must be true/);
    await expectCreateRefused((b) => {
      b.HostConfig!.CapDrop = ["NET_RAW"];
    }, /HostConfig\.CapDrop must contain "ALL"/);
    await expectCreateRefused((b) => {
      b.HostConfig!.Runtime = "io.containerd.runc.v2";
    }, /HostConfig\.Runtime "io\.containerd\.runc\.v2" is not an allowed runtime/);
  });

  test("a volume mount cannot create a bind-backed volume or use someone else's volume", async () => {
    await expectCreateRefused((b) => {
      b.HostConfig!.Mounts = [{
        Type: "volume",
        Source: uniqueName("sneaky"),
        Target: "/host",
        VolumeOptions: {
          NoCopy: false,
          Labels: {},
          DriverConfig: { Name: "local", Options: { type: "none", o: "bind", device: "/" } },
        },
      }];
    }, /HostConfig\.Mounts\[0\]\.VolumeOptions is not allowed/);
    const foreign = uniqueName("foreign");
    await direct.createVolume({ Name: foreign });
    try {
      await expectCreateRefused(
        (b) => {
          b.HostConfig!.Mounts = [{ Type: "volume", Source: foreign, Target: "/workspace" }];
        },
        /HostConfig\.Mounts\[0\]\.Source ".*" is not an existing volume with dev\.backend-agent\.managed=true/,
      );
    } finally {
      await direct.getVolume(foreign).remove();
    }
  });

  test("a volume backed by a host path is refused", async () => {
    const name = uniqueName("bindvol");
    const refusal = await refusalOf(under.docker.createVolume({
      Name: name,
      Driver: "local",
      DriverOpts: { type: "none", o: "bind", device: "/etc" },
      Labels: { [LABELS.managed]: "true" },
    }));
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(
      /POST \/volumes\/create refused: DriverOpts\.type must be "tmpfs", got "none"/,
    );
    expect(await volumeExists(name)).toBe(false);
    const unlabelled = await refusalOf(
      under.docker.createVolume({ ...buildVolumeBody(name, testLimits(), {}), Labels: {} }),
    );
    expect(unlabelled.message).toMatch(/Labels must include dev\.backend-agent\.managed=true/);
    expect(await volumeExists(name)).toBe(false);
  });

  test("exec, start, inspect and remove on a container without the managed label are refused", async () => {
    const target = under.docker.getContainer(outsider);
    const exec = await refusalOf(target.exec({ Cmd: ["id"], User: "1000:1000", AttachStdout: true }));
    expect(exec.status).toBe(403);
    expect(exec.message).toMatch(/container ".*" does not carry dev\.backend-agent\.managed=true/);
    for (const call of [() => target.start(), () => target.inspect(), () => target.remove({ force: true })]) {
      expect((await refusalOf(call())).status).toBe(403);
    }
    expect((await direct.getContainer(outsider).inspect()).State.Running).toBe(true);
  });

  test("an exec made directly on an unlabelled container cannot be started or inspected through the proxy", async () => {
    const exec = await direct.getContainer(outsider).exec({ Cmd: ["id"], AttachStdout: true });
    const start = await rawExchange(
      under.proxy.port,
      `POST /exec/${exec.id}/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    );
    expect(start.status).toBe(403);
    expect(JSON.parse(start.body).message).toMatch(
      /belongs to a container without dev\.backend-agent\.managed=true/,
    );
    expect((await refusalOf(under.docker.getExec(exec.id).inspect())).status).toBe(403);
    expect((await exec.inspect()).Running).toBe(false);
  });

  test("privileged or root execs are refused even on a managed container", async () => {
    const name = uniqueName("managed");
    const container = await under.docker.createContainer(sandboxBody(name, volume));
    try {
      const privileged = await refusalOf(
        container.exec({ Cmd: ["id"], User: "1000:1000", Privileged: true }),
      );
      expect(privileged).toMatchObject({
        status: 403,
        message: expect.stringMatching(/Privileged must be false/),
      });
      const root = await refusalOf(container.exec({ Cmd: ["id"], User: "root" }));
      expect(root).toMatchObject({ status: 403, message: expect.stringMatching(/User must be a non-root/) });
    } finally {
      await container.remove({ force: true });
    }
  });

  test("endpoints outside the table are refused with a message naming method and path", async () => {
    const cases: Array<[string, string]> = [
      ["POST", "/images/create"],
      ["POST", "/build"],
      ["GET", "/v1.41/info"],
      ["POST", "/containers/x/archive"],
      ["PUT", "/containers/x/archive"],
      ["POST", "/containers/x/attach"],
      ["POST", "/networks/create"],
      ["GET", "/containers/x/../../images/json"],
      ["GET", "/containers/%2e%2e/images/json"],
      ["GET", "/v1.23/containers/json"],
    ];
    for (const [method, path] of cases) {
      const answer = await rawExchange(
        under.proxy.port,
        `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      );
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(answer.body).message).toContain(`${method} ${path}`);
    }
  });

  test("ambiguous HTTP framing is refused before it reaches the engine", async () => {
    const twoLengths = await rawExchange(
      under.proxy.port,
      "POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
    );
    expect(twoLengths.status).toBe(400);
    const both = await rawExchange(
      under.proxy.port,
      "POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    );
    expect(both.status).toBe(400);
    const smuggled = await rawExchange(
      under.proxy.port,
      "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /images/json HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    expect(smuggled.status).toBe(200);
    expect(smuggled.body).toBe("OK"); // one checked request per connection; the second never reached the engine
  });

  test("an oversized body gets 413 and the start of a container takes no body", async () => {
    const big = "x".repeat(300 * 1024);
    const answer = await rawExchange(
      under.proxy.port,
      `POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
    );
    expect(answer.status).toBe(413);
    const start = await rawExchange(
      under.proxy.port,
      `POST /containers/${outsider}/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n{"Privileged": true }`,
    );
    expect(start.status).toBe(403);
    expect(JSON.parse(start.body).message).toMatch(/the body must be empty/);
  });

  test("every refusal wrote one JSON audit line naming the method, the path and the reason", () => {
    expect(under.audit.length).toBeGreaterThan(20);
    for (const line of under.audit) {
      const event = JSON.parse(line);
      expect(event).toMatchObject({ audit: true, event: "docker_proxy_refused" });
      expect(typeof event.method).toBe("string");
      expect(event.path).toMatch(/^\/|^-$/);
      expect(event.reason).toMatch(/docker-proxy|body|header|Content-Length|Transfer-Encoding/);
    }
    expect(under.audit.some((l) => l.includes("HostConfig.Privileged must be false"))).toBe(true);
    expect(under.audit.some((l) => l.includes('"path":"/images/create"'))).toBe(true);
  });
});

describe("the proxy's connection limit", () => {
  test("connections past PROXY_MAX_CONNECTIONS get 503 while the others wait", async () => {
    const under = startTestProxy({ PROXY_MAX_CONNECTIONS: "2" });
    const idle = [
      await Deno.connect({ hostname: "127.0.0.1", port: under.proxy.port }),
      await Deno.connect({ hostname: "127.0.0.1", port: under.proxy.port }),
    ];
    try {
      await new Promise((r) => setTimeout(r, 100));
      const third = await rawExchange(under.proxy.port, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(third.status).toBe(503);
      for (const conn of idle) conn.close();
      await new Promise((r) => setTimeout(r, 100));
      expect((await rawExchange(under.proxy.port, "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n")).status).toBe(
        200,
      );
    } finally {
      for (const conn of idle) {
        try {
          conn.close();
        } catch {
          // closed above
        }
      }
      await under.proxy.close();
    }
  });
});
