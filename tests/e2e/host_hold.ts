/**
 * A work item that holds its sandbox on one Docker engine only: the task-statistics change, whose
 * first command sleeps when the sandbox's root file system is mounted from that engine's data root,
 * so a test can stop the engine under it; on any other engine the change is made straight away.
 */
import type { ModelScript, ScenarioIssue } from "../../examples/scenario.ts";
import { bash } from "../../examples/scenarios/script_helpers.ts";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";

const stats = taskStatsScenario.issues.find((issue) => issue.number === taskStatsScenario.jobIssue)!;
const statsScript = taskStatsScenario.scripts.find((script) => stats.title.includes(script.match))!;

/**
 * Issue `number` and its script, holding on the engine at `engineUrl` (`unix://<folder>/docker.sock`
 * of `scripts/second_engine.ts`, whose data root is `<folder>/data`). List the script first: its
 * title is its own, but the stand-in takes the first script that matches.
 */
export function holdOnEngine(
  engineUrl: string,
  number: number,
): { issue: ScenarioIssue; script: ModelScript } {
  const root = `${new URL(engineUrl).pathname.replace(/\/docker\.sock$/, "")}/data/`;
  const title = `[dev] Counts, while engine ${number} goes away`;
  return {
    issue: { ...stats, number, title },
    script: {
      match: title,
      turns: [bash(`grep -q ${root} /proc/mounts && sleep 600; true`), ...statsScript.turns],
    },
  };
}
