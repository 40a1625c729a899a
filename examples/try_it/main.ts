/**
 * The try-it container (compose.demo.yaml): the GitHub stand-in seeded with the example repository
 * (`examples/task_service`, issue #12 `[dev] Add an endpoint reporting task statistics`) and the Anthropic
 * stand-in replaying the scripted engineer (`examples/scenarios/task_stats.ts`), served on 0.0.0.0:8081 and
 * :8082 of the container. The credentials they accept are read from the files the deployed service is given
 * (`GITHUB_TOKEN_FILE`, `ANTHROPIC_API_KEY_FILE`), so both sides agree. Logs one JSON line when serving, and
 * one for each pull request opened. Stops on SIGTERM or SIGINT.
 *
 * Run: `deno run --allow-net --allow-env --allow-read=/app,/run/secrets examples/try_it/main.ts` (the try-it image's CMD).
 */
import { fileURLToPath } from "node:url";
import { startAnthropicStandIn } from "../../tests/stand_ins/anthropic_server.ts";
import { seedFromScenario, startGitHubStandIn } from "../../tests/stand_ins/github_server.ts";
import { taskStatsScenario as scenario } from "../scenarios/task_stats.ts";
import { forward } from "./forward.ts";

/** The folder holding `examples/` (the image's /app). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Where the service reaches the GitHub stand-in (the compose service name and port). */
const GITHUB_PUBLIC_URL = Deno.env.get("TRY_IT_GITHUB_URL") ?? "http://stand-ins:8081";

const log = (event: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
const secret = async (name: string) => (await Deno.readTextFile(Deno.env.get(name)!)).trim();

const github = await startGitHubStandIn({ token: await secret("GITHUB_TOKEN_FILE") });
await seedFromScenario(github, scenario, ROOT);
const anthropic = await startAnthropicStandIn({
  scripts: scenario.scripts,
  apiKey: await secret("ANTHROPIC_API_KEY_FILE"),
});
const servers = [
  forward({ port: 8081, target: github.url, publicUrl: GITHUB_PUBLIC_URL }),
  forward({ port: 8082, target: anthropic.url }),
];
log("try_it_serving", {
  repo: scenario.repo.fullName,
  issue: scenario.jobIssue,
  github: GITHUB_PUBLIC_URL,
  anthropic: "http://stand-ins:8082",
});

const seen = new Set<number>();
const watch = setInterval(() => {
  for (const pr of github.pulls(scenario.repo.fullName)) {
    if (seen.has(pr.number)) continue;
    seen.add(pr.number);
    log("try_it_pull_request_opened", {
      repo: scenario.repo.fullName,
      number: pr.number,
      title: pr.title,
      head: pr.head,
      base: pr.base,
      draft: pr.draft,
      url: pr.html_url.replace(github.url, GITHUB_PUBLIC_URL),
    });
  }
}, 500);

const stop = async () => {
  clearInterval(watch);
  await Promise.all(servers.map((server) => server.shutdown()));
  await github.close();
  await anthropic.close();
  Deno.exit(0);
};
for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, () => void stop());
