import { expect, test } from "vitest";
import { SandboxError } from "../../src/errors.ts";
import { docker, newSandbox } from "./sandbox_fixture.ts";

test("a sandbox whose image is missing fails saying which command builds it, and leaves nothing behind", async () => {
  const image = "backend-agent/sandbox-test-no-such-image:missing";
  const labels = { "dev.backend-agent.missing-image-test": crypto.randomUUID() };
  const error = await newSandbox({ "README.md": "x\n" }, { image }, labels).then(() => undefined, (e) => e);
  expect(error).toBeInstanceOf(SandboxError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^Cannot create sandbox "[^"]+": The sandbox image ${image} is missing: build it with \`deno task image\``,
    ),
  );
  const filters = JSON.stringify({ label: [Object.entries(labels).map(([k, v]) => `${k}=${v}`)[0]] });
  expect(await docker.listContainers({ all: true, filters })).toEqual([]);
  expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
});
