import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { createGitHubAccess } from "../../src/github/access.ts";
import { appCredentials, INSTALLATION_PERMISSIONS, tokenCredentials } from "../../src/github/credentials.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const files = new Map([["README.md", new TextEncoder().encode("hi\n")]]);

describe("GitHub App credentials against the stand-in", () => {
  let standIn: GitHubStandIn;
  let privateKey: string;
  beforeAll(async () => {
    const keys = await generateKeyPair("RS256", { extractable: true });
    privateKey = await exportPKCS8(keys.privateKey);
    standIn = await startGitHubStandIn({
      app: { id: 4242, installationId: 77, publicKeyPem: await exportSPKI(keys.publicKey) },
    });
    standIn.addRepo("acme/tasks", { defaultBranch: "main", files });
    standIn.addRepo("acme/secret-plans", { defaultBranch: "main", files });
    standIn.addIssue("acme/tasks", { number: 1, title: "[dev] One", body: "x" });
  });
  afterAll(() => standIn.close());

  test("a job gets a token for its one repository with only the permissions it needs, revoked on close", async () => {
    const access = createGitHubAccess(
      appCredentials({ appId: 4242, privateKey, installationId: 77, baseUrl: standIn.url }),
      { ...GITHUB_CLIENT_DEFAULTS, baseUrl: standIn.url, retries: 0 },
    );
    const session = await access.open({ owner: "acme", name: "tasks" });
    expect((await session.gateway.getIssue({ owner: "acme", name: "tasks" }, 1)).title).toBe("[dev] One");
    await expect(session.gateway.resolveBase({ owner: "acme", name: "secret-plans" })).rejects.toThrow(/404/);
    const [issued] = standIn.installationTokens();
    expect(issued!.repositories).toEqual(["acme/tasks"]);
    expect(issued!.permissions).toEqual(INSTALLATION_PERMISSIONS);
    expect(issued!.revoked).toBe(false);

    await session.close();
    await session.close();
    expect(standIn.installationTokens()[0]!.revoked).toBe(true);
    await expect(session.gateway.getIssue({ owner: "acme", name: "tasks" }, 1)).rejects.toThrow(/401/);
  });

  test("an installation not granted the board's permission still gets a token, without it", async () => {
    const keys = await generateKeyPair("RS256", { extractable: true });
    const { organization_projects: _board, ...needed } = INSTALLATION_PERMISSIONS;
    const limited = await startGitHubStandIn({
      app: { id: 5151, installationId: 88, publicKeyPem: await exportSPKI(keys.publicKey), granted: needed },
    });
    try {
      limited.addRepo("acme/tasks", { defaultBranch: "main", files });
      const credentials = appCredentials({
        appId: 5151,
        privateKey: await exportPKCS8(keys.privateKey),
        installationId: 88,
        baseUrl: limited.url,
      });
      const token = await credentials.forRepos([{ owner: "acme", name: "tasks" }]);
      const issued = limited.installationTokens();
      expect(issued).toHaveLength(1);
      expect(issued[0]!.permissions).toEqual(needed);
      await token.release();
    } finally {
      await limited.close();
    }
  });

  test("in fork mode the job's token also reaches the fork, and only the two; a fork elsewhere is refused", async () => {
    standIn.addFork("acme/tasks", "acme/tasks-agent");
    const credentials = appCredentials({ appId: 4242, privateKey, installationId: 77, baseUrl: standIn.url });
    const options = {
      ...GITHUB_CLIENT_DEFAULTS,
      baseUrl: standIn.url,
      retries: 0,
      headRepo: { owner: "acme", name: "tasks-agent" },
    };
    const session = await createGitHubAccess(credentials, options).open({ owner: "acme", name: "tasks" });
    expect(session.gateway.headRepo({ owner: "acme", name: "tasks" })).toEqual(options.headRepo);
    expect(standIn.installationTokens().at(-1)!.repositories).toEqual(["acme/tasks", "acme/tasks-agent"]);
    await session.close();
    await expect(credentials.forRepos([{ owner: "acme", name: "tasks" }, { owner: "bot", name: "tasks" }]))
      .rejects.toThrow(
        "Cannot get an installation token of GitHub App 4242 for acme/tasks and bot/tasks: one installation " +
          "token reaches one account's repositories; put the fork (PR_HEAD_REPO) in acme, or use GITHUB_TOKEN",
      );
  });

  test("a key that is not the App's gets a clear error naming the App and the repository", async () => {
    const other = await generateKeyPair("RS256", { extractable: true });
    const credentials = appCredentials({
      appId: 4242,
      privateKey: await exportPKCS8(other.privateKey),
      installationId: 77,
      baseUrl: standIn.url,
    });
    await expect(credentials.forRepos([{ owner: "acme", name: "tasks" }])).rejects.toThrow(
      /^Cannot get an installation token of GitHub App 4242 for acme\/tasks: GitHub answered 401$/,
    );
  });

  test("a fixed token is handed out as is and release does nothing", async () => {
    const credentials = tokenCredentials(standIn.token);
    const { token, release } = await credentials.forRepos([{ owner: "acme", name: "tasks" }]);
    expect(token).toBe(standIn.token);
    await release();
    expect(credentials.kind).toBe("token");
  });
});
