/**
 * Which scripted turn the Anthropic stand-in answers a request with.
 *
 * A conversation picks the {@link ModelScript} whose `match` occurs in its
 * first user message; the turn is the number of assistant messages already in
 * the request. Error turns are served `times` times each (default once), in place
 * of the turn at their position, so the client's retry then gets the turn after them.
 */
import type { ModelScript, ScriptedBlock, ScriptedTurn } from "../../examples/scenario.ts";

type ErrorTurn = Extract<ScriptedTurn, { error: unknown }>;
type ContentTurn = Exclude<ScriptedTurn, ErrorTurn>;

/** What to answer one request with. */
export type ScriptPick =
  | { kind: "turn"; turn: ContentTurn }
  | { kind: "error"; error: ErrorTurn["error"]; headers: Record<string, string> }
  | { kind: "exhausted"; match: string; index: number }
  | { kind: "unmatched" };

/** The text of the first user message of a request body (text blocks joined), or "". */
export function firstUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const first = messages.find((m) => (m as { role?: unknown }).role === "user") as
    | { content?: unknown }
    | undefined;
  if (typeof first?.content === "string") return first.content;
  if (!Array.isArray(first?.content)) return "";
  return first.content
    .filter((block) => (block as { type?: unknown }).type === "text")
    .map((block) => String((block as { text?: unknown }).text ?? ""))
    .join("\n");
}

/** Number of assistant messages in a request body. */
export function assistantCount(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.filter((m) => (m as { role?: unknown }).role === "assistant").length;
}

/** Whether a scripted turn has a tool_use block. */
export function hasToolUse(blocks: ScriptedBlock[]): boolean {
  return blocks.some((block) => block.type === "tool_use");
}

/** Creates the stateful player of `scripts` (it counts how often each error turn was served). */
export function createScriptPlayer(scripts: ModelScript[]) {
  const served = new Map<ModelScript, Map<number, number>>();
  return {
    pick(body: Record<string, unknown>): ScriptPick {
      const text = firstUserText(body);
      const script = scripts.find((candidate) => text.includes(candidate.match));
      if (script === undefined) return { kind: "unmatched" };
      const done = served.get(script) ?? new Map<number, number>();
      served.set(script, done);
      const wanted = assistantCount(body);
      let position = 0;
      for (const [i, turn] of script.turns.entries()) {
        if ("error" in turn) {
          const count = done.get(i) ?? 0;
          if (position === wanted && count < (turn.times ?? 1)) {
            done.set(i, count + 1);
            return { kind: "error", error: turn.error, headers: turn.headers ?? {} };
          }
          continue;
        }
        if (position === wanted) return { kind: "turn", turn };
        position += 1;
      }
      return { kind: "exhausted", match: script.match, index: wanted };
    },
  };
}
