import { loadConfig } from "../../src/config.ts";
import { buildService, type Service, type ServiceOptions } from "../../src/service.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";

/** The service on a loopback port, where the GitHub stand-in delivers its webhooks. */
export interface WebhookService {
  service: Service;
  server: Deno.HttpServer<Deno.NetAddr>;
  /** `http://127.0.0.1:<port>`. */
  url: string;
}

/**
 * Builds the service against `github` (its API URL and webhook secret; no caller authentication; the
 * model never called), with `env` over that — the GitHub credentials and `JOBS_DB_PATH` come from
 * `env` — and `options` over no worker and a pipeline that fails; serves it on loopback and points the
 * stand-in's webhook at its `POST /v1/webhooks/github`. The caller shuts the server down and closes
 * the service.
 */
export async function serveWebhooks(
  github: GitHubStandIn,
  env: Record<string, string>,
  options: ServiceOptions = {},
): Promise<WebhookService> {
  const service = await buildService(
    loadConfig({
      GITHUB_API_URL: github.url,
      ANTHROPIC_API_KEY: "unused",
      AUTH_DISABLED: "true",
      GITHUB_WEBHOOK_SECRET: github.webhookSecret,
      ...env,
    }),
    { worker: false, pipeline: () => Promise.reject(new Error("no job runs in this test")), ...options },
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, service.app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}`;
  github.setWebhookUrl(`${url}/v1/webhooks/github`);
  return { service, server, url };
}

/**
 * The GitHub stand-in the webhook tests start from: `repo` with one file (`a.py`) on `main`, its issue
 * #1 `[dev] Label me`, and maria, who maintains it.
 */
export async function webhookStandIn(repo: string): Promise<GitHubStandIn> {
  const github = await startGitHubStandIn();
  github.addRepo(repo, {
    defaultBranch: "main",
    files: new Map([["a.py", new TextEncoder().encode("a=1\n")]]),
  });
  github.addIssue(repo, { number: 1, title: "[dev] Label me", body: "" });
  github.grantRole(repo, "maria", "maintain");
  return github;
}
