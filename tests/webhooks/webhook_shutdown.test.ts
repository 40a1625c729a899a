import { afterAll, beforeAll, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import type { Service } from "../../src/service.ts";
import type { GitHubStandIn } from "../stand_ins/github_server.ts";
import { serveWebhooks, webhookStandIn } from "./webhook_service.ts";

const REPO = "acme/tasks";
/** Long enough that a close waiting out the back-off would time the test out. */
const HOUR_MS = 3_600_000;

let github: GitHubStandIn;
let dir: string;
const open: Array<{ service: Service; server: Deno.HttpServer<Deno.NetAddr> }> = [];

/** The service on loopback, receiving the stand-in's deliveries. */
async function serve(): Promise<Service> {
  const served = await serveWebhooks(github, {
    GITHUB_TOKEN: github.token,
    GITHUB_RETRY_BASE_MS: String(HOUR_MS),
    JOBS_DB_PATH: `${dir}/jobs.sqlite`,
  }, { audit: NO_AUDIT });
  open.push(served);
  return served.service;
}

beforeAll(async () => {
  github = await webhookStandIn(REPO);
  dir = await Deno.makeTempDir({ prefix: "webhook-shutdown-" });
});
afterAll(async () => {
  for (const { service, server } of open) {
    await server.shutdown();
    await service.close();
  }
  await github?.close();
  if (dir) await Deno.remove(dir, { recursive: true });
});

test("closing the service ends a delivery's GitHub back-off; the delivery is forgotten, so a redelivery starts the job", async () => {
  const first = await serve();
  const before = github.requests.length;
  github.failNext("GET", `/repos/${REPO}`, 503, 1);
  const sent = await github.labelIssueAs(REPO, 1, "agent", "maria");
  expect(sent.status).toBe(202);
  // The handler's first GitHub read got the 503; its retry waits an hour.
  while (
    !github.requests.slice(before).some((r) => r.method === "GET" && r.path.startsWith(`/repos/${REPO}`))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const closing = open.shift()!;
  await closing.server.shutdown();
  await first.close();

  const second = await serve();
  expect((await second.store.list({ limit: 10 })).jobs).toEqual([]);
  const again = await github.redeliver(sent.id);
  expect(JSON.parse(again.response)).toEqual({ status: "accepted", delivery: sent.id });
  while ((await second.store.list({ limit: 10 })).jobs.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect((await second.store.list({ limit: 10 })).jobs).toEqual([
    expect.objectContaining({ repo: REPO, issue: 1, submitter: "github:maria" }),
  ]);
});
