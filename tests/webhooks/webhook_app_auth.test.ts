import { afterAll, beforeAll, expect, test } from "vitest";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import type { Service } from "../../src/service.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { serveWebhooks } from "./webhook_service.ts";

const REPO = "acme/tasks";
let github: GitHubStandIn;
let service: Service;
let server: Deno.HttpServer<Deno.NetAddr>;
let dir: string;

beforeAll(async () => {
  const keys = await generateKeyPair("RS256", { extractable: true });
  github = await startGitHubStandIn({
    app: { id: 1001, installationId: 2002, publicKeyPem: await exportSPKI(keys.publicKey) },
  });
  github.addRepo(REPO, {
    defaultBranch: "main",
    files: new Map([["a.py", new TextEncoder().encode("a\n")]]),
  });
  github.addIssue(REPO, { number: 1, title: "[dev] Label me", body: "" });
  github.addIssue(REPO, { number: 2, title: "Not a work item", body: "" });
  github.grantRole(REPO, "maria", "write");
  dir = await Deno.makeTempDir({ prefix: "webhooks-app-" });
  ({ service, server } = await serveWebhooks(github, {
    GITHUB_APP_ID: "1001",
    GITHUB_APP_INSTALLATION_ID: "2002",
    GITHUB_APP_PRIVATE_KEY: await exportPKCS8(keys.privateKey),
    JOBS_DB_PATH: `${dir}/jobs.sqlite`,
    AUDIT_LOG_PATH: `${dir}/audit.jsonl`,
  }));
});

afterAll(async () => {
  await server?.shutdown();
  await service?.close();
  await github?.close();
  if (dir) await Deno.remove(dir, { recursive: true });
});

test("as a GitHub App, each delivery acts with an installation token for its one repository, revoked after", async () => {
  await github.labelIssueAs(REPO, 1, "agent", "maria");
  await github.labelIssueAs(REPO, 2, "agent", "maria");
  // Closing the service waits for the deliveries being acted on.
  await server.shutdown();
  await service.close();
  const tokens = github.installationTokens();
  expect(tokens.length).toBeGreaterThan(0);
  for (const token of tokens) {
    expect(token.repositories).toEqual([REPO]);
    expect(token.permissions).toMatchObject({ issues: "write", metadata: "read" });
    expect(token.revoked).toBe(true);
  }
  expect(github.issueComments(REPO, 2)).toHaveLength(1);
  const created = (await Deno.readTextFile(`${dir}/audit.jsonl`)).split("\n").filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.event === "job_created");
  expect(created).toMatchObject([{ issue: 1, principal: "github:maria" }]);
});
