import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ScriptedTurn } from "../../examples/scenario.ts";
import type { AgentEvent } from "../../src/agent/events.ts";
import type { TrajectoryEntry } from "../../src/agent/trajectory.ts";
import type { AgentDeps } from "../../src/agent/loop.ts";
import { NUDGE_TEXT } from "../../src/agent/nudge.ts";
import type { Workbench } from "../../src/agent/workbench.ts";
import { SandboxError, ToolError } from "../../src/errors.ts";
import { createCommandPolicy } from "../../src/sandbox/command_policy.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { createWorkbench } from "../../src/sandbox/workbench.ts";
import { newSandbox } from "../sandbox/sandbox_fixture.ts";
import type { AnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { recordingWorkbench } from "./recording_workbench.ts";
import {
  bashTurn,
  editorTurn,
  OVERLOADED,
  submitTurn,
  textTurn,
  VALID_SUBMISSION,
} from "./scripted_turns.ts";
import { BUDGET, closeStandIns, runOnStandIn, type StandInRun } from "./stand_in_run.ts";

// The real stack: the SDK over loopback to the Anthropic stand-in, and tool
// calls run inside one real, hardened Docker sandbox shared by these tests
// (through a recording wrapper). Only the tests that need a fault on demand
// (a slow tool, a ToolError, a broken sandbox) answer tool calls themselves.

const REPO = {
  "app/__init__.py": "",
  "app/greeting.py": 'def greet(name: str) -> str:\n    """Greets."""\n    return f"hello {name}"\n',
  "tests/__init__.py": "",
  "tests/test_greeting.py": "from app.greeting import greet\n\n\ndef test_greet() -> None:\n" +
    '    assert greet("ada") == "hello ada"\n',
};
const HEALTH = 'def status() -> dict[str, str]:\n    """Reports health."""\n    return {"status": "ok"}\n';
const HEALTH_TEST = "from app.health import status\n\n\ndef test_status() -> None:\n" +
  '    assert status() == {"status": "ok"}\n';

const SECRET_KEY = "sk-ant-api03-never-in-a-prompt-0123456789";

let sandbox: Sandbox;
let realWorkbench: Workbench;
beforeAll(async () => {
  sandbox = await newSandbox(REPO);
  realWorkbench = createWorkbench(sandbox, { policy: createCommandPolicy("restricted") });
}, 60_000);
afterAll(async () => {
  await sandbox?.dispose();
});

let standIn: AnthropicStandIn | undefined;
afterEach(async () => {
  await closeStandIns();
  standIn = undefined;
});

async function run(
  turns: ScriptedTurn[],
  options: Omit<StandInRun, "workbench"> & { workbench?: Workbench } = {},
) {
  const result = await runOnStandIn(turns, {
    ...options,
    workbench: options.workbench ?? recordingWorkbench({ inner: realWorkbench }),
    standIn: { apiKey: SECRET_KEY, ...options.standIn },
    run: { budget: BUDGET, ...options.run },
  });
  standIn = result.standIn;
  return result;
}

function lastBlock(request: Anthropic.Messages.MessageCreateParamsNonStreaming | undefined) {
  const content = request?.messages.at(-1)?.content;
  return Array.isArray(content) ? content.at(-1) : undefined;
}

describe("runAgent", () => {
  it("implements, tests and submits, with every tool call run inside the container", async () => {
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, requests } = await run([
      bashTurn("cd /workspace/app && ls"),
      bashTurn("pwd"),
      editorTurn({ command: "create", path: "/workspace/app/health.py", file_text: HEALTH }),
      editorTurn({ command: "create", path: "/workspace/tests/test_health.py", file_text: HEALTH_TEST }),
      editorTurn({ command: "view", path: "/workspace/../etc/passwd" }),
      bashTurn("cd /workspace && python3 -m pytest -q -p no:cacheprovider"),
      submitTurn(),
    ], { workbench });

    expect(outcome.status).toBe("submitted");
    if (outcome.status !== "submitted") return;
    expect(outcome.submission).toEqual(VALID_SUBMISSION);
    expect(outcome.turns).toBe(7);
    expect(workbench.calls.map((call) => call.tool)).toEqual([
      "bash",
      "bash",
      "editor",
      "editor",
      "editor",
      "bash",
    ]);
    const tools = outcome.trajectory.flatMap((entry) => entry.tools);
    expect(tools.map((tool) => tool.name)).toEqual([
      "bash",
      "bash",
      "str_replace_based_edit_tool",
      "str_replace_based_edit_tool",
      "str_replace_based_edit_tool",
      "bash",
      "submit_work",
    ]);
    expect(tools[0]?.output.split("\n").sort()).toEqual(["__init__.py", "greeting.py"]);
    expect(tools[1]?.output).toBe("/workspace/app");
    expect(tools[4]).toMatchObject({ isError: true });
    expect(tools[5]?.output).toMatch(/2 passed/);
    expect((await sandbox.run(["cat", "/workspace/app/health.py"])).stdout).toBe(HEALTH);

    const firstToolUse = outcome.trajectory[0]?.response?.content[0] as Anthropic.Messages.ToolUseBlock;
    expect(lastBlock(requests[1])).toMatchObject({ type: "tool_result", tool_use_id: firstToolUse.id });
    expect(lastBlock(requests[5])).toMatchObject({ type: "tool_result", is_error: true });
    expect(outcome.usage.totalTokens).toBeGreaterThan(0);
    expect(outcome.usage.costUsd).toBeGreaterThan(0);
  });

  it("marks the system prompt, the last tool and the last message as cache breakpoints, and reads the cache", async () => {
    const { outcome, requests } = await run([bashTurn("ls"), bashTurn("pwd"), submitTurn()]);

    for (const request of requests) {
      const system = request.system as Anthropic.Messages.TextBlockParam[];
      expect(system.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
      const tools = request.tools as Array<{ cache_control?: unknown }>;
      expect(tools.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
      expect(tools.slice(0, -1).every((tool) => tool.cache_control === undefined)).toBe(true);
      expect(lastBlock(request)).toHaveProperty("cache_control", { type: "ephemeral" });
      expect(JSON.stringify(request.messages).match(/cache_control/g)).toHaveLength(1);
    }
    expect(outcome.usage.cacheCreationInputTokens).toBeGreaterThan(0);
    expect(outcome.usage.cacheReadInputTokens).toBeGreaterThan(0);
  });

  it("answers invalid submit_work input with an is_error tool_result naming the problems, and carries on", async () => {
    const { outcome, requests } = await run([
      submitTurn({ summary: "", api_changes: "x", auth_and_validation: "y", acceptance_criteria: [] }),
      submitTurn(),
    ]);

    expect(outcome.status).toBe("submitted");
    expect(outcome.turns).toBe(2);
    const rejected = lastBlock(requests[1]) as Anthropic.Messages.ToolResultBlockParam;
    expect(rejected).toMatchObject({ type: "tool_result", is_error: true });
    expect(rejected.content).toContain("summary");
    expect(rejected.content).toContain("acceptance_criteria");
  });

  it("reminds the model once when it ends its turn without calling submit_work", async () => {
    const { outcome, requests } = await run([textTurn("I think I am done."), submitTurn()]);

    expect(outcome.status).toBe("submitted");
    expect(lastBlock(requests[1])).toMatchObject({ type: "text", text: NUDGE_TEXT });
    expect(outcome.trajectory[1]?.request.nudge).toBe(true);
  });

  it("ends with no_submission when the model ends its turn again after the reminder", async () => {
    const { outcome } = await run([textTurn("Done."), textTurn("Really done.")]);

    expect(outcome).toMatchObject({ status: "no_submission", turns: 2 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/without calling submit_work, even after a reminder/);
  });

  it("gets past a 529 through the SDK's own retry, and the run goes on", async () => {
    const { outcome } = await run([bashTurn("ls"), OVERLOADED, submitTurn()]);

    expect(outcome).toMatchObject({ status: "submitted", turns: 2 });
    expect(standIn?.requests).toHaveLength(3);
    expect(outcome.trajectory).toHaveLength(2);
  });

  it("ends with model_unavailable, status and request id when 529s outlast the SDK's retries", async () => {
    const { outcome } = await run([bashTurn("ls"), OVERLOADED, OVERLOADED, OVERLOADED, submitTurn()]);

    expect(outcome).toMatchObject({ status: "model_unavailable", turns: 2 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/HTTP 529 \(overloaded_error\): Overloaded \[request-id req_\w+\]/);
    expect(outcome.trajectory[1]?.error).toBe(outcome.reason);
  });

  it("stops before a call whose worst case would pass the token budget", async () => {
    const maxTotalTokens = 15_000;
    const { outcome } = await run(Array.from({ length: 10 }, (_, i) => bashTurn(`echo ${i}`)), {
      run: { budget: { ...BUDGET, maxTotalTokens } },
    });

    expect(outcome.status).toBe("budget_exceeded");
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/Token budget of 15000 would be exceeded/);
    expect(outcome.turns).toBeGreaterThan(1);
    expect(outcome.turns).toBeLessThan(10);
    expect(outcome.usage.totalTokens).toBeLessThanOrEqual(maxTotalTokens);
    expect(standIn?.requests).toHaveLength(outcome.turns);
  });

  it("stops before a call whose worst case would pass the dollar budget", async () => {
    // Worst case per call: ~1.8k input + 4096 output tokens at $2/$10 per million, about $0.045;
    // a call actually costs under $0.01, so a few calls fit before the worst case would not.
    const maxUsd = 0.05;
    const { outcome } = await run(Array.from({ length: 10 }, (_, i) => bashTurn(`echo ${i}`)), {
      run: { budget: { ...BUDGET, maxUsd } },
    });

    expect(outcome.status).toBe("budget_exceeded");
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/Dollar budget of \$0\.0500 would be exceeded/);
    expect(outcome.turns).toBeGreaterThan(1);
    expect(outcome.turns).toBeLessThan(10);
    expect(outcome.usage.costUsd).toBeLessThanOrEqual(maxUsd);
    expect(standIn?.requests).toHaveLength(outcome.turns);
  });

  it("stops at the turn budget", async () => {
    const { outcome } = await run([bashTurn("a"), bashTurn("b"), bashTurn("c")], {
      run: { budget: { ...BUDGET, maxTurns: 2 } },
    });

    expect(outcome).toMatchObject({ status: "budget_exceeded", turns: 2 });
    expect(standIn?.requests).toHaveLength(2);
  });

  it("times out on the wall clock before the next tool call or model call", async () => {
    let now = 1_000;
    const workbench = recordingWorkbench({
      answer: () => {
        now += 40_000;
        return { text: "slow", isError: false };
      },
    });
    const { outcome } = await run([bashTurn("pytest"), bashTurn("pytest again"), submitTurn()], {
      workbench,
      deps: { clock: () => now },
    });

    expect(outcome.status).toBe("timeout");
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/Wall-clock budget of 60000 ms used up after 80000 ms/);
    expect(workbench.calls).toHaveLength(2);
    expect(outcome.trajectory[0]?.tools[0]?.durationMs).toBe(40_000);
  });

  it("times out when the wall clock runs out while waiting for the model", async () => {
    const { outcome } = await run([submitTurn()], {
      run: { budget: { ...BUDGET, maxWallClockMs: 50 } },
      deps: {
        messages: {
          // A model that never answers: only the loop's abort signal ends the call.
          create: (_params: unknown, opts?: { signal?: AbortSignal }) =>
            new Promise((_resolve, reject) => {
              opts?.signal?.addEventListener("abort", () => reject(new Anthropic.APIUserAbortError()));
            }),
        } as unknown as AgentDeps["messages"],
      },
    });

    expect(outcome).toMatchObject({ status: "timeout", turns: 1 });
    if (outcome.status === "submitted") return;
    expect(outcome.reason).toMatch(/while waiting for the model/);
  });

  it("cuts long tool outputs to the cap, keeping head and tail, with a note", async () => {
    const { outcome, requests } = await run([
      bashTurn(`python3 -c "print('HEAD' + 'x' * 50000 + 'TAIL')"`),
      submitTurn(),
    ], { run: { maxToolOutputChars: 1_000 } });

    const sent = (lastBlock(requests[1]) as Anthropic.Messages.ToolResultBlockParam).content as string;
    expect(sent.length).toBeLessThan(1_200);
    expect(sent.startsWith("HEAD")).toBe(true);
    expect(sent.endsWith("TAIL")).toBe(true);
    expect(sent).toMatch(/\[\.\.\. 49008 characters cut/);
    expect(outcome.trajectory[0]?.tools[0]?.truncated).toBe(true);
  });

  it("counts the usage of a message id only once", async () => {
    const seen: Anthropic.Messages.Message[] = [];
    const { outcome } = await run([bashTurn("a"), bashTurn("b"), submitTurn()], {
      messages: (client) => ({
        // Replays every response under one id, as a duplicated delivery would.
        create: async (params: Anthropic.Messages.MessageCreateParamsNonStreaming, opts?: unknown) => {
          const message = await client.messages.create(params, opts as Anthropic.RequestOptions);
          seen.push(message);
          return { ...message, id: "msg_same" };
        },
      } as unknown as AgentDeps["messages"]),
    });

    const first = seen[0]!.usage;
    expect(seen).toHaveLength(3);
    expect(outcome.usage.inputTokens).toBe(first.input_tokens);
    expect(outcome.usage.outputTokens).toBe(first.output_tokens);
    expect(outcome.usage.totalTokens).toBe(
      first.input_tokens + first.output_tokens + (first.cache_creation_input_tokens ?? 0) +
        (first.cache_read_input_tokens ?? 0),
    );
  });

  it("returns a ToolError from the workbench to the model as an is_error tool_result", async () => {
    const workbench = recordingWorkbench({
      answer: () => {
        throw new ToolError("Path /etc/passwd is outside /workspace");
      },
    });
    const { outcome, requests } = await run([
      editorTurn({ command: "view", path: "/etc/passwd" }),
      submitTurn(),
    ], {
      workbench,
    });

    expect(outcome.status).toBe("submitted");
    expect(lastBlock(requests[1])).toMatchObject({
      type: "tool_result",
      is_error: true,
      content: "Path /etc/passwd is outside /workspace",
    });
  });

  it("ends the run by throwing when the workbench itself breaks", async () => {
    const workbench = recordingWorkbench({
      answer: () => {
        throw new SandboxError('Cannot exec in sandbox "job-7": container is gone');
      },
    });

    await expect(run([bashTurn("ls"), submitTurn()], { workbench })).rejects.toThrow(SandboxError);
  });

  it("keeps the trajectory in the caller's list when the workbench breaks, the failed call included", async () => {
    const workbench = recordingWorkbench({
      answer: () => {
        throw new SandboxError('Cannot exec in sandbox "job-7": container is gone');
      },
    });
    const trajectory: TrajectoryEntry[] = [];
    await expect(run([bashTurn("ls"), submitTurn()], { workbench, run: { trajectory } })).rejects.toThrow(
      SandboxError,
    );
    expect(trajectory).toHaveLength(1);
    expect(trajectory[0]!.response?.stopReason).toBe("tool_use");
    expect(trajectory[0]!.tools).toEqual([expect.objectContaining({
      name: "bash",
      isError: true,
      output:
        '[the tool could not run, and the run stopped: Cannot exec in sandbox "job-7": container is gone]',
    })]);
  });

  it("refuses unknown tools and invalid editor input before the workbench sees them", async () => {
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, requests } = await run([
      { content: [{ type: "tool_use", name: "python", input: { code: "1" } }] },
      editorTurn({ command: "undo_edit", path: "/workspace/a.py" }),
      submitTurn(),
    ], { workbench });

    expect(outcome.status).toBe("submitted");
    expect(workbench.calls).toEqual([]);
    expect(lastBlock(requests[1])).toMatchObject({
      is_error: true,
      content: expect.stringContaining("Unknown tool"),
    });
    expect(lastBlock(requests[2])).toMatchObject({
      is_error: true,
      content: expect.stringContaining("command"),
    });
  });

  it("puts no secret into any request: the API key appears in no body", async () => {
    const { outcome } = await run([bashTurn("env"), submitTurn()]);

    expect(outcome.trajectory[0]?.tools[0]?.output).not.toContain("ANTHROPIC");

    expect(standIn?.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(standIn?.requests)).not.toContain(SECRET_KEY);
  });

  it("elides old tool outputs once the conversation passes the threshold, keeping the recent ones", async () => {
    const { outcome, requests } = await run([
      bashTurn("python3 -c 'print(*range(1, 3001), sep=chr(10))'"),
      bashTurn("python3 -c 'print(*range(1, 3001), sep=chr(10))'"),
      bashTurn("echo recent"),
      bashTurn("echo latest"),
      submitTurn(),
    ], { run: { elideAfterChars: 20_000 } });
    expect(outcome.status).toBe("submitted");
    const last = JSON.stringify(requests.at(-1)?.messages);
    expect(last).toContain("output elided to keep the conversation short");
    expect(last.split("2999\\n3000").length - 1).toBe(1);
    expect(last).toContain("latest");
    expect(JSON.stringify(requests[2]?.messages)).toContain("2999\\n3000");
  });

  it("ends with cancelled when its signal is aborted, before the next call", async () => {
    const abort = new AbortController();
    const workbench = recordingWorkbench({ inner: realWorkbench });
    const { outcome, requests } = await run([bashTurn("true"), bashTurn("true"), submitTurn()], {
      workbench: {
        bash: async (input) => {
          abort.abort();
          return await workbench.bash(input);
        },
        editor: (input) => workbench.editor(input),
      },
      run: { signal: abort.signal },
    });
    expect(outcome.status).toBe("cancelled");
    expect(requests).toHaveLength(1);
  });

  it("sends a rejected submission's feedback back as the submit_work tool error and goes on", async () => {
    let verdicts = 0;
    const { outcome, requests } = await run([submitTurn(), submitTurn()], {
      run: {
        verify: () =>
          Promise.resolve(
            verdicts++ === 0
              ? { ok: false as const, feedback: "tests fail: 1 failed", summary: "1 failed" }
              : { ok: true as const },
          ),
      },
    });
    expect(outcome.status).toBe("submitted");
    const result = lastBlock(requests[1]) as { type: string; is_error?: boolean; content?: unknown };
    expect(result.type).toBe("tool_result");
    expect(result.is_error).toBe(true);
    expect(JSON.stringify(result.content)).toContain("tests fail: 1 failed");
  });

  it("a notice rejection does not count against the verification retries", async () => {
    let verdicts = 0;
    const { outcome } = await run([submitTurn(), submitTurn(), submitTurn()], {
      run: {
        maxVerifyRetries: 0,
        verify: () =>
          Promise.resolve(
            verdicts++ < 2
              ? { ok: false as const, notice: true, feedback: "paths left out", summary: "left out" }
              : { ok: true as const },
          ),
      },
    });
    expect(outcome.status).toBe("submitted");
    expect(verdicts).toBe(3);
  });

  it("a counted rejection past the retries ends the run with the verdict's summary", async () => {
    const { outcome } = await run([submitTurn(), submitTurn()], {
      run: {
        maxVerifyRetries: 0,
        verify: () => Promise.resolve({ ok: false as const, feedback: "tests fail", summary: "1 failed" }),
      },
    });
    expect(outcome).toMatchObject({ status: "tests_failed", reason: "1 failed" });
  });

  it("reports turns, tool calls and usage as progress events", async () => {
    const events: AgentEvent[] = [];
    await run([bashTurn("ls   /workspace\n"), submitTurn()], {
      run: { onEvent: (event) => events.push(event) },
    });

    expect(events.map((event) => event.type)).toEqual([
      "turn_started",
      "usage",
      "tool_call",
      "tool_result",
      "turn_started",
      "usage",
      "tool_call",
      "tool_result",
    ]);
    expect(events[2]).toEqual({ type: "tool_call", turn: 1, name: "bash", summary: "bash: ls /workspace" });
    expect(events[1]).toMatchObject({ type: "usage", turn: 1, usage: { totalTokens: expect.any(Number) } });
  });
});
