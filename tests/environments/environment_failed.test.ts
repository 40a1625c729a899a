/**
 * A requirement no index has, through the whole service: the work item ends `environment_failed`
 * with pip's own error in the job and in the events, credentials redacted, and no sandbox starts.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Scenario } from "../../examples/scenario.ts";
import { type Harness, runScenarioJob, startHarness } from "../e2e/harness.ts";
import { docker, testLimits } from "../sandbox/sandbox_fixture.ts";
import { PackageIndexFixture } from "./package_index_fixture.ts";

const CANARY = `canary-${crypto.randomUUID()}`;
const scenario: Scenario = {
  name: "missing-dependency",
  repo: { fullName: "acme/missing", dir: "tests/environments/missing_dep_repo", defaultBranch: "main" },
  issues: [{
    number: 8,
    title: "[dev] Anything",
    body: "As a user, I want it.\n\n## Acceptance criteria\n- [ ] It works\n",
  }],
  jobIssue: 8,
  scripts: [],
};
let index: PackageIndexFixture;
let harness: Harness;

beforeAll(async () => {
  index = await PackageIndexFixture.start(docker, { image: testLimits().image });
  harness = await startHarness(scenario, {
    env: { PIP_INDEX_URL: index.url(`ci-bot:${CANARY}`), SETUP_EGRESS_NETWORK: index.network },
  });
});

afterAll(async () => {
  await harness?.close();
  await index?.[Symbol.asyncDispose]();
});

test("a requirement that does not exist ends the work item environment_failed with pip's error", async () => {
  const { job, events } = await runScenarioJob(harness, scenario);
  expect(job.status).toBe("failed");
  const [item] = job.workItems as Array<{ status: string; reason: string }>;
  expect(item!.status).toBe("environment_failed");
  expect(item!.reason).toMatch(
    /^setup exited 1: ERROR: No matching distribution found for no-such-package-anywhere==1\.0/,
  );
  expect(item!.reason).toContain(`Looking in indexes: http://[redacted]@${index.host}:8080/simple`);
  const failed = events.find((e) => e.kind === "environment" && e.data.phase === "failed");
  expect(failed?.data).toMatchObject({
    failure: "failed",
    output: expect.stringContaining("No matching distribution"),
  });
  expect(failed?.message).toMatch(
    /^#8: environment: failed after \d+\.\d s: setup exited 1: ERROR: No matching/,
  );
  expect(events.some((e) => e.kind === "sandbox")).toBe(false);
  expect(JSON.stringify({ job, events })).not.toContain(CANARY);
});
