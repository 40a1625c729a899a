/**
 * The two ends of a setup's install: the environment the setup program runs with (the proxy and
 * the indexes, credentials included, given to its exec only), and the commit of what it installed
 * as the environment image, after the credential scan when there are credentials to look for.
 */
import { ENV_LABELS, SETUP_ROLE_LABEL } from "./environment_labels.ts";
import type { EnvironmentSettings } from "./environment_settings.ts";
import { readSetupReport } from "./setup_output.ts";
import type { SetupSession } from "./setup_session.ts";
import { scanVerdict, type SetupVerdict } from "./setup_verdict.ts";

/** What {@link commitSetup} commits. */
export interface SetupCommit {
  /** The index credentials, longest first; empty: no scan. */
  secrets: readonly string[];
  /** `owner/name`. */
  repo: string;
  key: string;
  /** Distributions installed, from the setup's report. */
  packages: number;
}

/**
 * Commits the setup container as `key`'s image, labelled. With index credentials configured, every
 * process setup left running is stopped first (a background process could otherwise write a
 * credential after the scan, or tamper with it), then what setup wrote is searched for them; a hit
 * (or a scan without a report) is returned as a verdict and nothing is committed. Without
 * credentials there is nothing to find, and the commit (which pauses the container) runs at once.
 */
export async function commitSetup(
  session: SetupSession,
  { secrets, repo, key, packages }: SetupCommit,
): Promise<{ builtAt: string } | SetupVerdict> {
  if (secrets.length > 0) {
    await session.stopProcesses();
    const scan = await session.scan([`BACKEND_AGENT_SECRETS=${secrets.join("\n")}`]);
    const failed = scanVerdict(readSetupReport(scan.output), scan.result.exitCode);
    if (failed) return failed;
  }
  const builtAt = new Date().toISOString();
  await session.commit(key, {
    // A commit keeps the container's labels and cannot drop one: the setup role is emptied, so
    // sandboxes started from the image are not taken for setup containers.
    [SETUP_ROLE_LABEL]: "",
    [ENV_LABELS.repo]: repo,
    [ENV_LABELS.key]: key,
    [ENV_LABELS.created]: builtAt,
    [ENV_LABELS.size]: String(await session.addedBytes()),
    [ENV_LABELS.packages]: String(packages),
  });
  return { builtAt };
}

/** The setup program's own environment: the proxy and the indexes (credentials included). */
export function installEnvironment(
  { index, extraIndexes }: Pick<EnvironmentSettings, "index" | "extraIndexes">,
  proxyUrl: string,
): string[] {
  const plainHttp = [index, ...extraIndexes].filter((i) => i.publicUrl.startsWith("http:"));
  return [
    `HTTP_PROXY=${proxyUrl}`,
    `HTTPS_PROXY=${proxyUrl}`,
    `http_proxy=${proxyUrl}`,
    `https_proxy=${proxyUrl}`,
    "NO_PROXY=",
    "no_proxy=",
    `PIP_INDEX_URL=${index.url}`,
    ...(extraIndexes.length > 0 ? [`PIP_EXTRA_INDEX_URL=${extraIndexes.map((i) => i.url).join(" ")}`] : []),
    ...(plainHttp.length > 0 ? [`PIP_TRUSTED_HOST=${plainHttp.map((i) => i.host).join(" ")}`] : []),
    "PIP_NO_CACHE_DIR=1",
    "PIP_DISABLE_PIP_VERSION_CHECK=1",
    "PIP_ROOT_USER_ACTION=ignore",
  ];
}
