/**
 * Killing the service (SIGKILL) while an environment's setup runs, then starting it again on the
 * same job database: the restart fails the interrupted job and removes everything its setup made —
 * no setup or proxy container, no network, no environment image (nothing was committed).
 */
import { afterAll, expect, test } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { SETUP_ROLE_LABEL } from "../../src/environments/environment_labels.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { buildService } from "../../src/service.ts";
import { docker, testLimits } from "../sandbox/sandbox_fixture.ts";
import { PackageIndexFixture } from "./package_index_fixture.ts";

const dataDir = await Deno.makeTempDir({ prefix: "backend-agent-killed-" });
const dbPath = `${dataDir}/jobs.sqlite`;
let index: PackageIndexFixture | undefined;

afterAll(async () => {
  await index?.[Symbol.asyncDispose]();
  await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
});

async function labelled(jobId: string) {
  const filters = JSON.stringify({ label: [`${LABELS.job}=${jobId}`] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return {
    containers: containers.map((c) => `${c.Labels[SETUP_ROLE_LABEL] ?? "sandbox"} ${c.Names[0]}`).sort(),
    networks: networks.map((n) => n.Name).sort(),
  };
}

test("a service killed during setup leaves nothing behind once it is started again", async () => {
  index = await PackageIndexFixture.start(docker, { image: testLimits().image });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./killed_setup_child.ts", import.meta.url).pathname,
      dbPath,
      index.url(),
      index.network,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!/^api (\S+)$/m.test(printed)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the service process ended before it listened");
    printed += value;
  }
  const apiUrl = /^api (\S+)$/m.exec(printed)![1]!;
  const { id } = await (await fetch(`${apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: "acme/slow", issue: 5 }),
  })).json() as { id: string };
  // Mid-setup: the setup script is sleeping in its container, behind its proxy, on its networks.
  let during = await labelled(id);
  for (let i = 0; i < 600 && !during.containers.some((c) => c.startsWith("setup ")); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    during = await labelled(id);
  }
  expect(during.containers.map((c) => c.split(" ")[0])).toEqual(["proxy", "setup"]);
  expect(during.networks).toHaveLength(1); // the internal one; the egress network is the index's
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel().catch(() => undefined);
  expect((await labelled(id)).containers).toHaveLength(2); // nothing removed them: the process is gone

  const service = await buildService(loadConfig({
    GITHUB_TOKEN: "unused-after-restart",
    ANTHROPIC_API_KEY: "unused-after-restart",
    AUTH_DISABLED: "true",
    JOBS_DB_PATH: dbPath,
    PIP_INDEX_URL: index.url(),
    SETUP_EGRESS_NETWORK: index.network,
    ...(Deno.env.get("SANDBOX_IMAGE") ? { SANDBOX_IMAGE: Deno.env.get("SANDBOX_IMAGE")! } : {}),
  }));
  try {
    expect(await labelled(id)).toEqual({ containers: [], networks: [] });
    const job = await service.store.get(id);
    expect(job?.status).toBe("failed");
    expect(job?.reason).toMatch(/^interrupted/);
    const images = await docker.listImages({ filters: JSON.stringify({ label: [`${LABELS.job}=${id}`] }) });
    expect(images).toEqual([]);
  } finally {
    await service.close();
  }
});
