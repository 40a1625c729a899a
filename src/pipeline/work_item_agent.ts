/**
 * The agent part of one work item: the prompts (the role, the protected paths, what the environment
 * installed; the work item with its criteria and the repository's guidance), the tools on the work
 * item's sandbox, and the progress the loop reports, written in order as events and usage records.
 */
import type { AgentDeps } from "../agent/loop.ts";
import { runAgent } from "../agent/loop.ts";
import type { AgentOutcome } from "../agent/outcome.ts";
import { buildSystemPrompt, buildTaskPrompt, protectedPathsRule, type TaskInput } from "../agent/prompt.ts";
import { buildFollowUpPrompt, type FollowUpText } from "../agent/follow_up_prompt.ts";
import type { SharedAllowance } from "../agent/budget.ts";
import type { EnvironmentResult, EnvironmentSpec } from "../contracts/environment.ts";
import { recordedUsage } from "../contracts/usage.ts";
import type { WorkItemText } from "../github/acceptance_criteria.ts";
import type { Issue, RepoRef } from "../github/gateway.ts";
import type { WorkItemEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import type { WorkItemResult } from "../contracts/job.ts";
import type { OrderedWrites } from "./ordered_writes.ts";
import { createCommandPolicy } from "../sandbox/command_policy.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { createWorkbench } from "../sandbox/workbench.ts";
import type { GuidanceFile } from "./guidance.ts";
import type { KeptTrajectory } from "./kept_trajectory.ts";
import type { PipelineSettings } from "./pipeline_settings.ts";
import type { SubmissionCheck } from "./submission_check.ts";

/** What the agent part of a work item works with. */
export interface WorkItemAgentInput {
  messages: AgentDeps["messages"];
  sandbox: Sandbox;
  repo: RepoRef;
  item: Issue;
  parent?: Issue;
  parsed: WorkItemText;
  guidance: GuidanceFile[];
  environment: { spec: EnvironmentSpec; result: EnvironmentResult };
  check: SubmissionCheck;
  /** The submitter's dollars left today, shared with its other runs; absent: none beyond the budget. */
  allowance?: SharedAllowance;
  /** The work item's trajectory, written into as the loop goes. */
  trajectory: KeptTrajectory;
  /** The work item's ordered writes; the loop's synchronous progress callbacks queue theirs here. */
  writes: OrderedWrites;
  emit: EmitJobEvent;
  recordUsage: (issue: number, usage: WorkItemResult["usage"]) => Promise<void>;
  events: WorkItemEvents;
  signal?: AbortSignal;
  /** Set for a follow-up on the work item's pull request: the prompt adds what was asked on it. */
  followUp?: FollowUpText;
}

/** Runs the agent loop on the work item's sandbox until it submits or stops. */
export function runWorkItemAgent(
  input: WorkItemAgentInput,
  settings: PipelineSettings,
): Promise<AgentOutcome> {
  const { item, events, writes } = input;
  const task: TaskInput = {
    repo: `${input.repo.owner}/${input.repo.name}`,
    issue: item,
    ...(input.parent ? { parent: input.parent } : {}),
    acceptanceCriteria: input.parsed.acceptanceCriteria,
    guidance: input.guidance,
  };
  return runAgent(
    {
      messages: input.messages,
      workbench: createWorkbench(input.sandbox, { policy: createCommandPolicy(settings.commandPolicy) }),
    },
    {
      model: settings.model,
      prices: settings.prices,
      system: [
        buildSystemPrompt(input.environment),
        protectedPathsRule(settings.diffPolicy.protectedPaths),
      ].filter(Boolean).join("\n\n"),
      task: input.followUp ? buildFollowUpPrompt(task, input.followUp) : buildTaskPrompt(task),
      budget: input.allowance ? { ...settings.budget, allowance: input.allowance } : settings.budget,
      verify: input.check.verify,
      maxVerifyRetries: settings.maxVerifyRetries,
      maxToolOutputChars: settings.maxToolOutputChars,
      elideAfterChars: settings.elideAfterChars,
      trajectory: input.trajectory.entries,
      ...(input.signal ? { signal: input.signal } : {}),
      onEvent: (event) => {
        if (event.type === "tool_call") {
          const tool = events.tool({ turn: event.turn, tool: event.name, summary: event.summary });
          writes.push(() => input.emit(tool));
        }
        if (event.type === "usage") {
          const usage = recordedUsage(event.usage, event.turn);
          writes.push(() => input.recordUsage(item.number, usage));
          writes.push(() => input.emit(events.usage({ ...usage, turn: usage.turns, call: event.call })));
        }
        if (event.type === "recovery") {
          const { turn, action, detail } = event;
          writes.push(() => input.emit(events.modelRecovery({ turn, action, detail })));
        }
      },
    },
  );
}
