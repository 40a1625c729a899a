/**
 * File tools with the semantics of Anthropic's text editor tool (`view`,
 * `create`, `str_replace`, `insert`), confined to /workspace and run inside
 * the container as the sandbox user. Edits keep a file's line endings (CRLF,
 * LF, old Mac CR, or mixed) and its UTF-8 BOM, and refuse files that are not
 * UTF-8 text; the rule is written in `images/python-sandbox/programs/editor.py`.
 * The program's reply is untrusted (it runs in the container): it is parsed
 * with {@link editorReplySchema}, bounded, before the model or anyone sees it.
 */
import { z } from "zod";
import type { EditorInput } from "../contracts/tools.ts";
import { SandboxError, ToolError } from "../errors.ts";
import { EDITOR_PROGRAM_PATH } from "./editor_program.ts";
import { checkToolPath } from "./path_jail.ts";
import type { ExecResult, Sandbox } from "./sandbox.ts";

/** Largest file `view`, `str_replace` and `insert` read, in bytes. */
export const EDITOR_MAX_READ_BYTES = 256 * 1024;

/** Largest file `create`, `str_replace` and `insert` write, in bytes. */
export const EDITOR_MAX_WRITE_BYTES = 1024 * 1024;

/** Most bytes of an editor reply read from the container (a view of a full 256 KiB file fits). */
export const EDITOR_REPLY_MAX_BYTES = 4 * 1024 * 1024;

/** Most characters of the message of a refused or failed edit. */
export const EDITOR_ERROR_MAX_CHARS = 64 * 1024;

/**
 * The editor program's reply, as the host accepts it: exactly
 * `{"ok": true, "output": string}` or `{"ok": false, "error": string}`, bounded.
 */
export const editorReplySchema = z.discriminatedUnion("ok", [
  z.strictObject({ ok: z.literal(true), output: z.string().max(EDITOR_REPLY_MAX_BYTES) }),
  z.strictObject({ ok: z.literal(false), error: z.string().min(1).max(EDITOR_ERROR_MAX_CHARS) }),
]);

/**
 * Performs one editor operation and returns the tool's text output.
 * @throws ToolError when the operation is refused or fails (the message is for the model), e.g. the
 *   file is not UTF-8 text (invalid UTF-8 or a NUL byte), in which case nothing was written.
 * @throws SandboxError when the container could not run it, or its reply is not an
 *   {@link editorReplySchema} (the reply's text is not repeated in the error).
 */
export async function runEditor(
  sandbox: Sandbox,
  input: EditorInput,
): Promise<string> {
  const path = checkToolPath(input.path);
  const request = {
    ...input,
    path,
    max_read_bytes: EDITOR_MAX_READ_BYTES,
    max_write_bytes: EDITOR_MAX_WRITE_BYTES,
  };
  const result = await sandbox.run(["python3", "-I", EDITOR_PROGRAM_PATH], {
    user: "programs",
    stdin: JSON.stringify(request),
    timeoutMs: 30_000,
    maxOutputBytes: EDITOR_REPLY_MAX_BYTES,
  });
  if (result.timedOut || result.exitCode !== 0) throw new ToolError(editorStopped(input.path, result));
  const reply = !result.truncated ? parseReply(result.stdout) : undefined;
  if (!reply?.success) {
    throw new SandboxError(
      `The editor in "${sandbox.name}" did not answer as it should (exit ${result.exitCode}` +
        `${result.truncated ? ", output over its cap" : ""}): ${JSON.stringify(result.stderr.slice(-500))}`,
      reply ? { cause: reply.error } : {},
    );
  }
  if (!reply.data.ok) throw new ToolError(reply.data.error);
  return reply.data.output;
}

/**
 * What the model is told when the editor program timed out or crashed (a tool failure, not the
 * sandbox's): a FIFO or device is refused before it is opened, so this is rare.
 */
function editorStopped(path: string, result: ExecResult): string {
  const how = result.timedOut
    ? "did not finish in time and was stopped"
    : result.oomKilled
    ? "ran out of memory"
    : `stopped with exit ${result.exitCode}`;
  return `The editor ${how} on ${path}; the file may not have changed as asked. Check it (view, or ` +
    "bash tools such as ls -l and head) before going on.";
}

/** The reply in `stdout`, parsed with {@link editorReplySchema}. */
function parseReply(stdout: string) {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    return { success: false as const, error };
  }
  return editorReplySchema.safeParse(json);
}
