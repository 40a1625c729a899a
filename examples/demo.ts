/**
 * `deno task demo`: runs the example issue end to end on this machine.
 * Starts the GitHub stand-in (seeded with examples/task_service and issue #12),
 * the Anthropic stand-in playing the scripted engineer (or the real API when
 * ANTHROPIC_API_KEY is set), a package index serving the example's one
 * dependency the sandbox image lacks (`slugkit`; there is no PyPI here), and
 * the service; submits the issue over HTTP, prints progress (the environment
 * step included), then the pull request it opened. Everything printed goes
 * through `forTerminal`: model-written text and file names start no terminal
 * control sequence, and a field keeps to its line. It prints the job's page on
 * the web dashboard (`/ui/jobs/<id>`); with `--keep` the service and the
 * stand-ins stay up after the job, for inspection, until Ctrl-C.
 */
import { forTerminal } from "../src/cli/terminal_text.ts";
import type { JobEventData } from "../src/contracts/job_events.ts";
import { startHarness, waitForJob } from "../tests/e2e/harness.ts";
import { taskStatsScenario as scenario } from "./scenarios/task_stats.ts";

const realKey = Deno.env.get("ANTHROPIC_API_KEY");
const keep = Deno.args.includes("--keep");
const say = (line: string) => console.log(forTerminal(line, true));
/** One field of a line, from the model or the sandbox: no control character, no line of its own. */
const field = (text: string) => forTerminal(text);

say(`demo: ${scenario.name} — ${scenario.repo.fullName} issue #${scenario.jobIssue}`);
say(
  `demo: model: ${
    realKey ? "the real Anthropic API (ANTHROPIC_API_KEY is set)" : "scripted (Anthropic stand-in)"
  }`,
);
const harness = await startHarness(scenario, realKey ? { realAnthropicKey: realKey } : {});
let exitCode = 1;
try {
  say(`demo: GitHub stand-in ${harness.github.url}, service ${harness.apiUrl}`);
  say(
    `demo: package index ${harness.packageIndex?.settings.PIP_INDEX_URL} (slugkit), the one host setup may reach`,
  );
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue }),
  });
  const accepted = await response.json() as { id: string; status: string };
  say(`demo: POST /v1/jobs → ${response.status} {"id":"${accepted.id}","status":"${accepted.status}"}`);
  say(
    `demo: dashboard: ${harness.apiUrl}/ui/jobs/${accepted.id} (live events, work items, diff, trajectory)`,
  );
  const started = Date.now();
  let toolCalls = 0;
  /** Each work item's last test run, from the `test` events' data. */
  const testRuns = new Map<number, JobEventData<"test">>();
  const job = await waitForJob(harness.apiUrl, accepted.id, {
    onEvent: (e) => {
      if (e.kind === "tool") toolCalls++;
      if (e.kind === "test") testRuns.set(e.data.issue, e.data);
      say(
        `  [${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${e.kind.padEnd(13)} ${
          field(e.message)
        }`,
      );
    },
  });
  say(`demo: job ${job.status}${job.reason ? `: ${field(String(job.reason))}` : ""}`);
  for (const [issue, run] of testRuns) {
    say(
      `demo: #${issue} tests: ${run.passed} passed, ${run.failed} failed (exit ${run.exitCode}) — ${
        field(run.command)
      }`,
    );
  }
  const usage = job.usage as { totalTokens: number; costUsd: number; turns: number } | undefined;
  if (usage) {
    say(
      `demo: ${usage.turns} model calls, ${toolCalls} tool calls, ${usage.totalTokens} tokens, $${
        usage.costUsd.toFixed(4)
      } at list prices`,
    );
  }
  const base = harness.github.branchFiles(scenario.repo.fullName, scenario.repo.defaultBranch)!;
  for (const pr of harness.github.pulls(scenario.repo.fullName)) {
    const head = harness.github.branchFiles(scenario.repo.fullName, pr.head) ?? new Map();
    const changed = [...head.keys()].filter((p) => !base.has(p) || !equal(base.get(p)!, head.get(p)!));
    const deleted = [...base.keys()].filter((p) => !head.has(p));
    say("");
    say(`──── pull request #${pr.number}${pr.draft ? " (draft)" : ""}: ${field(pr.title)}`);
    say(`     ${field(pr.head)} → ${field(pr.base)}   ${field(pr.html_url)}`);
    say("──── changed files");
    for (const p of changed) say(`  ${base.has(p) ? "M" : "A"} ${field(p)}`);
    for (const p of deleted) say(`  D ${field(p)}`);
    say("──── body");
    say(pr.body);
  }
  exitCode = job.status === "succeeded" ? 0 : 1;
  if (keep) await keepUp(harness.apiUrl);
} finally {
  await harness.close();
}
Deno.exit(exitCode);

/** Waits for Ctrl-C (SIGINT) or SIGTERM while the service stays up at `apiUrl`. */
function keepUp(apiUrl: string): Promise<void> {
  say(`demo: --keep: the service stays up at ${apiUrl}/ui (no credential needed here); Ctrl-C stops it`);
  return new Promise((resolve) => {
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      resolve();
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
