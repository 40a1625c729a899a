/**
 * The service of `killed_setup.test.ts`, in a process of its own so the test can kill it with
 * SIGKILL mid-setup: the harness (GitHub stand-in, Anthropic stand-in, the service) on the job
 * database, index URL and egress network given as arguments; prints its API URL, then waits.
 */
import type { Scenario } from "../../examples/scenario.ts";
import { startHarness } from "../e2e/harness.ts";

const [dbPath, indexUrl, network] = Deno.args;
const scenario: Scenario = {
  name: "slow-setup",
  repo: { fullName: "acme/slow", dir: "tests/environments/slow_setup_repo", defaultBranch: "main" },
  issues: [{
    number: 5,
    title: "[dev] Anything",
    body: "As a user, I want it.\n\n## Acceptance criteria\n- [ ] It works\n",
  }],
  jobIssue: 5,
  scripts: [],
};
const harness = await startHarness(scenario, {
  env: { JOBS_DB_PATH: dbPath!, PIP_INDEX_URL: indexUrl!, SETUP_EGRESS_NETWORK: network! },
});
console.log(`api ${harness.apiUrl}`);
await new Promise(() => {});
