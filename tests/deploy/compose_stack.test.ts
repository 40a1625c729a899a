/**
 * The deployment as an operator runs it: compose.yaml with the try-it override (compose.demo.yaml), from the
 * images `deno task service-image --try-it` builds, under a project name of its own. Both health checks go
 * healthy; the example issue submitted to the deployed service opens a pull request on the GitHub stand-in;
 * the secret files reach the service but never `docker inspect`, the logs or the job; stopping the proxy turns
 * the service unhealthy and starting it recovers it; `down -v` leaves nothing of the stack.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { DEFAULT_SERVICE_IMAGE, DEFAULT_TRY_IT_IMAGE } from "../../scripts/service_image.ts";
import { runCommand } from "../../scripts/run_command.ts";
import { ComposeProject, docker } from "./compose_project.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import {
  buildTryItImages,
  expectNoSecret,
  expectOneTryItPullRequest,
  submitTryItJob,
  TRY_IT_API_KEY,
  TRY_IT_HEADERS,
  TRY_IT_SECRETS,
  TRY_IT_TEST_SETTINGS,
  tryItComposeEnv,
} from "./try_it_job.ts";

const id = crypto.randomUUID().slice(0, 8);
const name = `backend-agent-compose-test-${id}`;

let project: ComposeProject;
let apiUrl: string;

beforeAll(async () => {
  await buildTryItImages();
  project = await ComposeProject.create(name, ["compose.yaml", "compose.demo.yaml"], {
    ...tryItComposeEnv(name),
    SERVICE_PUBLISH: "127.0.0.1:",
  }, {
    ...TRY_IT_TEST_SETTINGS,
    SERVICE_CPUS: "1.5",
    BUDGET_USD: "3",
  });
  await project.run("up", "--detach");
  apiUrl = `http://${await project.port("service", 8080)}`;
}, 600_000);

afterAll(async () => {
  await project?.[Symbol.asyncDispose]();
}, 120_000);

/** The paths of the files in `image` (as `docker export` lists them, without the leading slash). */
async function imageFiles(image: string): Promise<string[]> {
  const container = (await docker("create", "--label", `dev.backend-agent.test=${name}`, image)).trim();
  try {
    const listed = await runCommand("bash", ["-c", 'docker export "$1" | tar -t', "list", container]);
    return listed.stdout.split("\n");
  } finally {
    await docker("rm", container);
  }
}

test("the service image holds the sources and the packages they import, not the tests, examples, test-only packages or a shell; the try-it image adds the stand-ins", async () => {
  const files = await imageFiles(DEFAULT_SERVICE_IMAGE);
  expect(files).toContain("app/src/main.ts");
  expect(files).toContain("usr/local/bin/deno");
  expect(files.filter((f) => /^app\/(tests|examples|data\/.)|^(bin|usr\/bin)\/(ba)?sh$/.test(f))).toEqual([]);
  expect(
    files.filter((f) => /node_modules\/\.deno\/(vitest|@octokit\+openapi|@octokit\+graphql-schema)@/.test(f)),
  )
    .toEqual([]);
  const tryIt = await imageFiles(DEFAULT_TRY_IT_IMAGE);
  expect(tryIt).toContain("app/tests/stand_ins/github_server.ts");
  expect(tryIt).toContain("app/examples/task_service/app/main.py");
  expect(tryIt.filter((f) => f.endsWith(".test.ts") || f.includes("try_it/secrets"))).toEqual([]);
});

test("both health checks go healthy, and every container has memory, CPU and pids limits and rotated logs", async () => {
  await project.waitForHealth("docker-proxy", "healthy");
  await project.waitForHealth("service", "healthy");
  expect(await (await fetch(`${apiUrl}/readyz`)).json()).toMatchObject({ status: "ready" });
  for (const service of ["docker-proxy", "service", "stand-ins", "example-index"]) {
    const [info] = JSON.parse(await docker("inspect", await project.container(service))) as Array<{
      HostConfig: {
        Memory: number;
        NanoCpus: number;
        PidsLimit: number;
        LogConfig: { Type: string; Config: Record<string, string> };
      };
      Mounts: Array<{ Type: string; Name?: string }>;
    }>;
    expect(info!.HostConfig.Memory, service).toBeGreaterThan(0);
    expect(info!.HostConfig.NanoCpus, service).toBeGreaterThan(0);
    expect(info!.HostConfig.PidsLimit, service).toBeGreaterThan(0);
    expect(info!.HostConfig.LogConfig).toEqual({
      Type: "json-file",
      Config: { "max-size": "10m", "max-file": "5" },
    });
    // No anonymous volume: every volume mounted is one compose.yaml names.
    for (const mount of info!.Mounts.filter((m) => m.Type === "volume")) {
      expect(mount.Name).toBe(`${name}_jobs-data`);
    }
  }
  // The env file's settings reach compose (SERVICE_CPUS=1.5) and the service (BUDGET_USD=3).
  expect(await project.logs("service")).toContain('"budget":{"usd":3,');
  expect(
    JSON.parse(
      await docker(
        "inspect",
        "--format",
        "{{json .HostConfig.NanoCpus}}",
        await project.container("service"),
      ),
    ),
  )
    .toBe(1_500_000_000);
});

test(
  "the example issue submitted to the deployed service opens a pull request on the GitHub stand-in",
  async () => {
    const jobId = await submitTryItJob(apiUrl);
    const job = await waitForJob(apiUrl, jobId, { headers: TRY_IT_HEADERS, timeoutMs: 300_000 });
    expect(job.status, JSON.stringify(job)).toBe("succeeded");
    await expectOneTryItPullRequest(`http://${await project.port("stand-ins", 8081)}`, job);
    expect(await project.logs("stand-ins")).toContain('"event":"try_it_pull_request_opened"');

    // The secrets reached the service (the stand-ins accept nothing else), yet show nowhere.
    const inspected = await docker("inspect", ...(await project.leftovers()).containers);
    expectNoSecret([...Object.values(TRY_IT_SECRETS), TRY_IT_API_KEY], {
      "docker inspect": inspected,
      logs: await project.logs(),
      events: JSON.stringify(await fetchEvents(apiUrl, jobId, 0, TRY_IT_HEADERS)),
    });
    expect(inspected).toContain("GITHUB_TOKEN_FILE=/run/secrets/github_token");
  },
  360_000,
);

test("stopping the proxy turns the service unhealthy, and starting it again recovers it", async () => {
  await project.run("stop", "docker-proxy");
  await project.waitForHealth("service", "unhealthy", 60_000);
  expect((await fetch(`${apiUrl}/readyz`)).status).toBe(503);
  await project.run("start", "docker-proxy");
  await project.waitForHealth("docker-proxy", "healthy", 60_000);
  await project.waitForHealth("service", "healthy", 60_000);
}, 180_000);

test("down -v leaves no container, volume or network of the stack", async () => {
  expect((await project.leftovers()).volumes).toEqual([`${name}_jobs-data`]);
  await project[Symbol.asyncDispose]();
  expect(await project.leftovers()).toEqual({ containers: [], volumes: [], networks: [] });
  expect(await docker("network", "ls", "--quiet", "--filter", `name=^${name}`)).toBe("");
}, 120_000);
