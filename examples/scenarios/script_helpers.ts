/**
 * Building blocks for scripted model turns: one optional sentence, then one
 * tool call, in the shapes the real tools take.
 *
 * @module
 */
import type { ScriptedBlock, ScriptedTurn } from "../scenario.ts";

/** The text editor tool's name. */
export const EDITOR = "str_replace_based_edit_tool";

/** The test command the scripted engineer runs. */
export const PYTEST = "cd /workspace && python3 -m pytest -q -p no:cacheprovider";

/** One scripted turn: an optional sentence, then one tool call. */
export function turn(name: string, input: Record<string, unknown>, text?: string): ScriptedTurn {
  const call: ScriptedBlock = { type: "tool_use", name, input };
  return { content: text === undefined ? [call] : [{ type: "text", text }, call] };
}

/** `view` a file or folder. */
export const view = (path: string, text?: string) => turn(EDITOR, { command: "view", path }, text);

/** `create` a file. */
export const create = (path: string, fileText: string, text?: string) =>
  turn(EDITOR, { command: "create", path, file_text: fileText }, text);

/** `str_replace` one exact occurrence. */
export const replace = (path: string, oldStr: string, newStr: string, text?: string) =>
  turn(EDITOR, { command: "str_replace", path, old_str: oldStr, new_str: newStr }, text);

/** Run a command in the bash session. */
export const bash = (command: string, text?: string) => turn("bash", { command }, text);

/** Builds an issue body: a user story, then the criteria as a checklist, then optional notes. */
export function issueBody(story: string, criteria: readonly string[], notes?: string): string {
  const lines = [story, "", "## Acceptance criteria", ...criteria.map((criterion) => `- [ ] ${criterion}`)];
  return [...lines, ...(notes === undefined ? [] : ["", "## Notes", notes]), ""].join("\n");
}
