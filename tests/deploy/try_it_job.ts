/**
 * What the deployment tests share about the try-it profile: building the service and try-it images, the
 * stand-in credentials of examples/try_it/secrets, submitting the example issue (acme/task-service#12), the
 * pull requests on the GitHub stand-in, and finding a secret in what a stack shows.
 */
import { expect } from "vitest";
import {
  buildServiceImages,
  DEFAULT_SERVICE_IMAGE,
  DEFAULT_TRY_IT_IMAGE,
} from "../../scripts/service_image.ts";
import { ensureBaseImage } from "../../scripts/service_image_base.ts";
import { PROJECT_ROOT, SERVICE_TARGET, TRY_IT_TARGET } from "../../scripts/service_image_stage.ts";

/** The try-it key (examples/try_it/secrets/api_keys holds its hash). */
export const TRY_IT_API_KEY = "bak_try_it_demo_key";

/** The content of examples/try_it/secrets/`file`, trimmed. */
export function tryItSecret(file: string): string {
  return Deno.readTextFileSync(`${PROJECT_ROOT}/examples/try_it/secrets/${file}`).trim();
}

/** The stand-in credentials the service reads from secret files. */
export const TRY_IT_SECRETS = {
  github_token: tryItSecret("github_token"),
  anthropic_api_key: tryItSecret("anthropic_api_key"),
};

/**
 * Builds the service and try-it images (`deno task service-image --try-it`) on the base image.
 * @returns the base image used (`BASE_IMAGE`, or picked by {@link ensureBaseImage}).
 */
export async function buildTryItImages(): Promise<string> {
  const base = await ensureBaseImage(Deno.env.get("BASE_IMAGE") || undefined, () => {});
  await buildServiceImages(
    [
      { target: SERVICE_TARGET, tag: DEFAULT_SERVICE_IMAGE },
      { target: TRY_IT_TARGET, tag: DEFAULT_TRY_IT_IMAGE },
    ],
    base,
    () => {},
  );
  return base;
}

/**
 * The compose variables a try-it stack under test needs besides its own: its egress network named after the
 * project, the GitHub stand-in on an ephemeral host port, quick health checks, and room for other tests'
 * sandboxes on the shared engine.
 */
export function tryItComposeEnv(project: string): Record<string, string> {
  return {
    SETUP_EGRESS_NETWORK: `${project}-egress`,
    // Ephemeral host ports, so that a deployment on this machine is not in the way.
    TRY_IT_GITHUB_PUBLISH: "127.0.0.1:",
    HEALTHCHECK_INTERVAL: "2s",
    // The proxy counts every managed sandbox on the engine, other tests' too.
    PROXY_MAX_SANDBOXES: "64",
  };
}

/** The service settings every try-it stack under test gets (its env file). */
export const TRY_IT_TEST_SETTINGS = {
  // The engine is shared with other tests: the stack must not reap their sandboxes as leftovers.
  SANDBOX_REAP_AFTER_MS: "604800000",
};

/** The try-it key as a request header. */
export const TRY_IT_HEADERS = { authorization: `Bearer ${TRY_IT_API_KEY}` };

/** Submits acme/task-service#12 to the service at `apiUrl` (`http://host:port`); expects 202, returns the job id. */
export async function submitTryItJob(apiUrl: string): Promise<string> {
  const submitted = await fetch(`${apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { ...TRY_IT_HEADERS, "content-type": "application/json" },
    body: JSON.stringify({ repo: "acme/task-service", issue: 12 }),
  });
  expect(submitted.status).toBe(202);
  return (await submitted.json() as { id: string }).id;
}

/**
 * Expects the GitHub stand-in at `githubUrl` (`http://host:port`) to hold exactly one pull request on
 * acme/task-service, the example issue's, and `job` to name it.
 */
export async function expectOneTryItPullRequest(
  githubUrl: string,
  job: { pullRequests?: unknown },
): Promise<void> {
  const pulls = await (await fetch(`${githubUrl}/repos/acme/task-service/pulls`, {
    headers: { authorization: `token ${TRY_IT_SECRETS.github_token}` },
  })).json() as Array<{ number: number; title: string; html_url: string }>;
  expect(pulls.map((pr) => pr.title)).toEqual(["Add an endpoint reporting task statistics"]);
  expect(job.pullRequests).toEqual([{ issue: 12, number: pulls[0]!.number, url: pulls[0]!.html_url }]);
}

/** Expects none of `secrets` in any of `shown` (labelled texts: `docker inspect`, logs, events). */
export function expectNoSecret(secrets: string[], shown: Record<string, string>): void {
  for (const [where, text] of Object.entries(shown)) {
    for (const secret of secrets) expect(text.includes(secret), `a secret in ${where}`).toBe(false);
  }
}
