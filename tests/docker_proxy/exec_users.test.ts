/**
 * An exec through the proxy runs as the sandbox user or the programs user, and as no one else:
 * the programs user is what keeps the host's programs out of the agent's reach, so the proxy
 * allows exactly it besides the sandbox user.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkExecCreate } from "../../src/docker_proxy/exec_policy.ts";
import { createDockerSandboxFactory } from "../../src/sandbox/docker_sandbox.ts";
import { PROGRAMS_USER, SANDBOX_USER } from "../../src/sandbox/limits.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { tarOf, testLimits } from "../sandbox/sandbox_fixture.ts";
import { type ProxyUnderTest, refusalOf, startTestProxy, uniqueName } from "./proxy_fixture.ts";

/** Users an exec may not name: other uids, other groups, no group, root, names. */
const OTHERS = [
  "1002:1000",
  "1000:0",
  "1001:1001",
  "1000:1001",
  "1001",
  "1000",
  "0:1000",
  "65534:65534",
  "sandbox",
];

test("the exec policy takes the sandbox user and the programs user, and refuses every other", () => {
  const exec = { Cmd: ["id"], User: SANDBOX_USER, AttachStdout: true };
  expect(checkExecCreate(exec)).toEqual(exec);
  expect(checkExecCreate({ ...exec, User: PROGRAMS_USER })).toEqual({ ...exec, User: PROGRAMS_USER });
  for (const user of OTHERS) {
    expect(() => checkExecCreate({ ...exec, User: user }), user).toThrow(
      /User must be (a non-root numeric uid:gid \(both non-zero; a uid alone runs as group 0\)|1000:1000 \(the sandbox user\) or 1001:1000 \(the programs user\)), got/,
    );
  }
});

describe("through the proxy, on the service's own sandbox", () => {
  let under: ProxyUnderTest;
  let sandbox: Sandbox;

  beforeAll(async () => {
    under = startTestProxy();
    const factory = createDockerSandboxFactory(under.docker, { limits: testLimits(), maxSeedBytes: 1 << 20 });
    sandbox = await factory.create({
      name: uniqueName("exec-users"),
      seed: await tarOf({ "README.md": "hello\n" }),
      labels: { "dev.backend-agent.test": "true" },
    });
  });

  afterAll(async () => {
    await sandbox?.dispose().catch(() => undefined);
    await under?.proxy.close();
  });

  test("the sandbox runs as both users through the proxy, and stops the sandbox user's processes", async () => {
    expect((await sandbox.run(["id", "-u"])).stdout).toBe("1000\n");
    expect((await sandbox.run(["id", "-u"], { user: "programs" })).stdout).toBe("1001\n");
    expect((await sandbox.bash("sleep 600 &")).exitCode).toBe(0);
    await sandbox.stopAgentProcesses();
    const left = await sandbox.run(["pgrep", "-u", "1000", "-x", "sleep"], { user: "programs" });
    expect(left.stdout).toBe("");
  });

  test("an exec as any other user is refused with 403 naming both users, and nothing runs", async () => {
    const container = under.docker.getContainer(sandbox.name);
    for (const user of OTHERS) {
      const refusal = await refusalOf(container.exec({ Cmd: ["touch", `/tmp/ran-${user}`], User: user }));
      expect(refusal.status, user).toBe(403);
      expect(refusal.message).toMatch(/^docker-proxy: POST \/containers\/.*\/exec refused: User must be/);
    }
    expect((await sandbox.run(["ls", "/tmp"])).stdout).not.toContain("ran-");
  });
});
