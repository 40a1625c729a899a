/**
 * What a scale-out scenario needs, all real but the two protocol stand-ins: a throwaway PostgreSQL,
 * the GitHub stand-in seeded with the task-statistics scenario (plus `copies` more issues the same
 * script answers, so jobs on different branches run side by side), the Anthropic stand-in, the
 * example package index, and the settings every replica process shares.
 */
import type { ModelScript, Scenario, ScenarioIssue } from "../../examples/scenario.ts";
import { type ExampleIndex, startExampleIndex } from "../../examples/example_index.ts";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import { createDockerClient } from "../../src/sandbox/docker_client.ts";
import { DEFAULT_SANDBOX_LIMITS, LABELS } from "../../src/sandbox/limits.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { PROJECT_ROOT } from "../e2e/harness.ts";
import { type ReplicaProcess, startReplica } from "./replica_process.ts";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/postgres.ts";

/** A running cluster; {@link Cluster.close} kills its replicas and stops the rest. */
export interface Cluster {
  scenario: Scenario;
  postgres: ThrowawayPostgres;
  /** The replicas' database. */
  databaseUrl: string;
  /** The network the example package index serves on (`SETUP_EGRESS_NETWORK`). */
  egressNetwork: string;
  github: GitHubStandIn;
  anthropic: AnthropicStandIn;
  /** The issue numbers jobs may be submitted on (the scenario's, then its copies). */
  issues: number[];
  /** Starts a replica with the shared settings (and `env` over them). */
  replica(name: string, env?: Record<string, string>): Promise<ReplicaProcess>;
  /** Submits a job on `issue` to `replica`; returns its id. */
  submit(replica: ReplicaProcess, issue: number): Promise<string>;
  /** Containers labelled with job `id`, on the engine. */
  containersOf(id: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Options for {@link startCluster}. */
export interface ClusterOptions {
  /** More issues answered by the scenario's script (numbers 101, 102, …). */
  copies?: number;
  /** Issues of the test's own and their scripts (matched before the scenario's). */
  extra?: { issues: ScenarioIssue[]; scripts: ModelScript[] };
  /** Docker sockets of other engines the replicas may use (`DOCKER_HOSTS`). */
  sockets?: string[];
}

/** Starts the cluster's parts; replicas are started by the test. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const scenario = taskStatsScenario;
  const docker = createDockerClient(Deno.env.get("DOCKER_HOST"));
  const parts: Array<() => Promise<unknown>> = [];
  const replicas: ReplicaProcess[] = [];
  try {
    const postgres = await startThrowawayPostgres();
    parts.push(() => postgres.stop());
    const github = await startGitHubStandIn();
    parts.push(() => github.close());
    await seedFromScenario(github, scenario, PROJECT_ROOT);
    const original = scenario.issues.find((i) => i.number === scenario.jobIssue)!;
    const issues = [scenario.jobIssue];
    for (let i = 1; i <= (options.copies ?? 0); i++) {
      const number = 100 + i;
      github.addIssue(scenario.repo.fullName, {
        ...original,
        number,
        title: `${original.title} (copy ${i})`,
      });
      issues.push(number);
    }
    for (const issue of options.extra?.issues ?? []) github.addIssue(scenario.repo.fullName, issue);
    const anthropic = await startAnthropicStandIn({
      scripts: [...options.extra?.scripts ?? [], ...scenario.scripts],
    });
    parts.push(() => anthropic.close());
    const index: ExampleIndex = await startExampleIndex(docker, DEFAULT_SANDBOX_LIMITS.image);
    parts.push(async () => await index[Symbol.asyncDispose]());
    const databaseUrl = await postgres.createDatabase("agent");
    const settings: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...(Deno.env.get("DOCKER_HOST") ? { DOCKER_HOST: Deno.env.get("DOCKER_HOST")! } : {}),
      ...(Deno.env.get("SANDBOX_IMAGE") ? { SANDBOX_IMAGE: Deno.env.get("SANDBOX_IMAGE")! } : {}),
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.url,
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.url,
      AUTH_DISABLED: "true",
      DATABASE_URL: databaseUrl,
      JOBS_LEASE_MS: "3000",
      ...index.settings,
    };
    return {
      scenario,
      postgres,
      databaseUrl,
      egressNetwork: index.settings.SETUP_EGRESS_NETWORK!,
      github,
      anthropic,
      issues,
      async replica(name, env = {}) {
        const started = await startReplica(name, { ...settings, ...env }, options.sockets);
        replicas.push(started);
        return started;
      },
      async submit(replica, issue) {
        const response = await fetch(`${replica.url}/v1/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ repo: scenario.repo.fullName, issue }),
        });
        const body = await response.json() as { id?: string };
        if (response.status !== 202 || !body.id) {
          throw new Error(`submit: ${response.status} ${JSON.stringify(body)}`);
        }
        return body.id;
      },
      async containersOf(id) {
        const found = await docker.listContainers({
          all: true,
          filters: JSON.stringify({ label: [`${LABELS.job}=${id}`] }),
        });
        return found.map((c) => c.Id);
      },
      async close() {
        for (const replica of replicas) await replica.kill("SIGKILL");
        for (const stop of parts.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of parts.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
