/**
 * The dashboard scenarios' service: the end-to-end harness (stand-ins, real Docker, the real
 * service) with API keys instead of `AUTH_DISABLED`: an operator key on every repository, and a key
 * whose allowlist holds none of the scenario's repositories.
 */
import { generateApiKey, hashApiKey } from "../../src/api/auth/api_keys.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { type Harness, startHarness } from "../e2e/harness.ts";

/** The harness and its two keys. */
export interface DashboardHarness extends AsyncDisposable {
  harness: Harness;
  /** `jobs:read jobs:write` on every repository; the submitter `key:operator`. */
  operatorKey: string;
  /** `jobs:read jobs:write` on `someone-else/*` only. */
  outsiderKey: string;
}

/** Starts `scenario`'s harness with the two keys. */
export async function startDashboardHarness(scenario: Scenario): Promise<DashboardHarness> {
  const operatorKey = generateApiKey();
  const outsiderKey = generateApiKey();
  const harness = await startHarness(scenario, {
    env: {
      AUTH_DISABLED: "false",
      API_KEYS: JSON.stringify([
        { name: "operator", hash: hashApiKey(operatorKey) },
        { name: "outsider", hash: hashApiKey(outsiderKey), repos: ["someone-else/*"] },
      ]),
    },
  });
  return { harness, operatorKey, outsiderKey, [Symbol.asyncDispose]: () => harness.close() };
}

/** `Authorization` for `key`. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Submits `scenario`'s job with `key`; returns its id. */
export async function submitJob(harness: Harness, scenario: Scenario, key: string): Promise<string> {
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(key) },
    body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue }),
  });
  if (response.status !== 202) {
    throw new Error(`POST /v1/jobs answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json() as { id: string }).id;
}
