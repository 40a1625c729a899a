/**
 * The scale deployment as an operator runs it: compose.scale.yaml (PostgreSQL, two replicas, the Docker API
 * proxy) with its try-it override (compose.scale.demo.yaml: the stand-ins of compose.demo.yaml), from the images
 * `deno task service-image --try-it` and `deno task postgres-image` build, under a project name of its own, with
 * Debian's docker-compose. PostgreSQL, the proxy and both replicas go healthy; the example issue submitted
 * through replica A runs on replica A, opens one pull request, and its events stream from replica B, the same
 * events in the same order; no secret shows in `docker inspect`, the logs or the job; `down -v` leaves nothing.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildPostgresImage, DEFAULT_POSTGRES_IMAGE } from "../../scripts/postgres_image.ts";
import { readFrames } from "../api/sse_frames.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { ComposeProject, docker } from "./compose_project.ts";
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
  tryItSecret,
} from "./try_it_job.ts";

const name = `backend-agent-scale-test-${crypto.randomUUID().slice(0, 8)}`;
/** Every secret the stack is given: the stand-in credentials, the API key, the database's password. */
const SECRETS = [...Object.values(TRY_IT_SECRETS), TRY_IT_API_KEY, tryItSecret("postgres_password")];

let project: ComposeProject;
const replica = { a: "", b: "" };

beforeAll(async () => {
  const base = await buildTryItImages();
  await buildPostgresImage(DEFAULT_POSTGRES_IMAGE, base, () => {});
  project = await ComposeProject.create(name, ["compose.scale.yaml", "compose.scale.demo.yaml"], {
    ...tryItComposeEnv(name),
    POSTGRES_IMAGE: DEFAULT_POSTGRES_IMAGE,
    REPLICA_A_PUBLISH: "127.0.0.1:",
    REPLICA_B_PUBLISH: "127.0.0.1:",
    // Both replicas on the machine's two cores.
    SERVICE_CPUS: "1",
  }, TRY_IT_TEST_SETTINGS);
  await project.run("up", "--detach");
}, 600_000);

afterAll(async () => {
  await project?.[Symbol.asyncDispose]();
}, 120_000);

test("PostgreSQL, the proxy and both replicas go healthy, and each replica reports the engine and the database ready", async () => {
  for (const service of ["postgres", "docker-proxy", "replica-a", "replica-b"]) {
    await project.waitForHealth(service, "healthy");
    // Healthy at the first start: no crash on the way (a restart would also move its published port).
    const restarts = await docker(
      "inspect",
      "--format",
      "{{.RestartCount}}",
      await project.container(service),
    );
    expect(restarts.trim(), `${service} restarted; logs:\n${await project.logs(service)}`).toBe("0");
  }
  replica.a = `http://${await project.port("replica-a", 8080)}`;
  replica.b = `http://${await project.port("replica-b", 8080)}`;
  for (const url of [replica.a, replica.b]) {
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({
      status: "ready",
      checks: { docker: "ok", store: "ok", image: "ok" },
    });
  }
  // Each replica took its own lease in PostgreSQL, named after its host name.
  for (const service of ["replica-a", "replica-b"]) {
    const leases = (await logRecords(service)).filter((r) => /takes jobs/.test(r.message ?? ""));
    expect(leases.map((r) => r.properties?.replicaId)).toEqual([
      expect.stringMatching(`^${service}-[0-9a-f]{8}$`),
    ]);
  }
});

test(
  "a job submitted through replica A runs there, opens one pull request, and streams from replica B without a gap",
  async () => {
    // With replica B frozen, only replica A's queue worker can take the job; its first event says it started.
    await docker("pause", await project.container("replica-b"));
    let jobId: string;
    try {
      jobId = await submitTryItJob(replica.a);
      await readFrames(
        (await eventStream(replica.a, jobId)).body!,
        (frames) => frames.some((frame) => frame.event === undefined),
        120_000,
      );
    } finally {
      await docker("unpause", await project.container("replica-b"));
    }
    // Replica B streams the job that replica A runs, to its end.
    const { frames } = await readFrames(
      (await eventStream(replica.b, jobId)).body!,
      (frames) => frames.some((frame) => frame.event === "end"),
      300_000,
    );
    const job = await waitForJob(replica.a, jobId, { headers: TRY_IT_HEADERS, timeoutMs: 60_000 });
    expect(job.status, JSON.stringify(job)).toBe("succeeded");
    const started = async (service: string) =>
      (await logRecords(service)).some((r) =>
        r.message?.startsWith("job started") && r.properties?.jobId === jobId
      );
    expect(await started("replica-a")).toBe(true);
    expect(await started("replica-b")).toBe(false);
    const seqs = frames.filter((frame) => frame.event === undefined).map((frame) => Number(frame.id));
    const stored = await fetchEvents(replica.a, jobId, 0, TRY_IT_HEADERS);
    expect(stored.length).toBeGreaterThan(5);
    expect(seqs).toEqual(stored.map((event) => event.seq));
    expect(seqs).toEqual(stored.map((_, i) => i + 1));
    expect(stored.some((event) => event.kind === "pr")).toBe(true);
    expect(JSON.parse(frames.at(-1)!.data!)).toEqual({ status: "succeeded" });

    await expectOneTryItPullRequest(`http://${await project.port("stand-ins", 8081)}`, job);

    // The secrets reached the replicas and PostgreSQL (the stand-ins and the database accept nothing else),
    // yet show nowhere.
    const containers = (await project.leftovers()).containers;
    const inspected = await docker("inspect", ...containers);
    expect(inspected).toContain("DATABASE_URL_FILE=/run/secrets/database_url");
    expect(inspected).toContain("POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password");
    expectNoSecret(SECRETS, {
      "docker inspect": inspected,
      logs: await project.logs(),
      "events on replica A": JSON.stringify(stored),
      "events streamed from replica B": JSON.stringify(frames),
      job: JSON.stringify(job),
    });
  },
  360_000,
);

test("down -v leaves no container, volume or network of the stack", async () => {
  expect((await project.leftovers()).volumes).toEqual([`${name}_postgres-data`]);
  await project[Symbol.asyncDispose]();
  expect(await project.leftovers()).toEqual({ containers: [], volumes: [], networks: [] });
  expect(await docker("network", "ls", "--quiet", "--filter", `name=^${name}`)).toBe("");
}, 120_000);

/** `GET /v1/jobs/{id}/events` as Server-Sent Events from the replica at `url`. */
async function eventStream(url: string, jobId: string): Promise<Response> {
  const response = await fetch(`${url}/v1/jobs/${jobId}/events`, {
    headers: { ...TRY_IT_HEADERS, accept: "text/event-stream" },
  });
  expect(response.status).toBe(200);
  return response;
}

/** The JSON log records of a service's containers (compose prefixes each line with the container's name). */
async function logRecords(
  service: string,
): Promise<Array<{ message?: string; properties?: Record<string, unknown> }>> {
  return (await project.logs(service)).split("\n").flatMap((line) => {
    const json = line.slice(line.indexOf("|") + 1).trim();
    return json.startsWith("{") ? [JSON.parse(json)] : [];
  });
}
