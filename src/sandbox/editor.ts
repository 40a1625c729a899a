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
import type { Sandbox } from "./sandbox.ts";

/** Largest file `view`, `str_replace` and `insert` read, in bytes. */
export const EDITOR_MAX_READ_BYTES = 256 * 1024;

/** Largest file `create`, `str_replace` and `insert` write, in bytes. */
export const EDITOR_MAX_WRITE_BYTES = 1024 * 1024;

/**
 * Performs one editor operation and returns the tool's text output.
 * @throws ToolError when the operation is refused or fails (the message is for the model), e.g. the
 *   file is not UTF-8 text (invalid UTF-8 or a NUL byte), in which case nothing was written.
 * @throws SandboxError when the container could not run it.
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
    stdin: JSON.stringify(request),
    timeoutMs: 30_000,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  let reply: { ok: boolean; output?: string; error?: string };
  try {
    reply = JSON.parse(result.stdout);
  } catch (error) {
    throw new SandboxError(
      `The editor did not answer (exit ${result.exitCode}): ${result.stderr.slice(0, 500)}`,
      {
        cause: error,
      },
    );
  }
  if (!reply.ok) throw new ToolError(reply.error ?? "The edit failed");
  return reply.output ?? "";
}
