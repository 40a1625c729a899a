/**
 * The setup program's output (`images/python-sandbox/programs/setup_env.py`), read on the host as
 * untrusted text: its last line says what was installed (`BACKEND-AGENT-SETUP {"packages": 14}`)
 * or which files hold a credential (`{"leaked": [...]}`); the lines before it are pip's or the
 * setup script's, of which the last few go into a failure's report, credentials redacted.
 */
import { z } from "zod";
import { redactSecrets, secretForms } from "./package_index.ts";

const MARKER = "BACKEND-AGENT-SETUP ";
/** Lines of output a failure report keeps. */
export const TAIL_LINES = 25;
/** Characters a failure report keeps, at most. */
export const TAIL_CHARS = 4_000;

const reportSchema = z.union([
  z.object({ packages: z.number().int().nonnegative() }).strict(),
  z.object({ leaked: z.array(z.string().max(4096)).max(1000) }).strict(),
]);

/** What the last line reported, if it is the program's report. */
export type SetupReport = z.infer<typeof reportSchema>;

/** The report on the output's last non-empty line, or undefined when there is none (setup failed). */
export function readSetupReport(output: string): SetupReport | undefined {
  const last = output.trimEnd().split("\n").at(-1) ?? "";
  if (!last.startsWith(MARKER)) return undefined;
  try {
    const parsed = reportSchema.safeParse(JSON.parse(last.slice(MARKER.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The last {@link TAIL_LINES} lines of `output` (at most {@link TAIL_CHARS} characters), credentials
 * redacted. Only the end of the output is read: the last {@link TAIL_CHARS} characters plus room for the
 * longest form of a secret, redacted, then the room dropped (a secret the first cut split is in it).
 */
export function outputTail(output: string, secrets: readonly string[]): string {
  const room = Math.max(0, ...secrets.flatMap(secretForms).map((form) => form.length));
  const cut = output.length > TAIL_CHARS + 2 * room;
  const end = cut ? output.slice(-(TAIL_CHARS + 2 * room)) : output;
  const redacted = redactSecrets(end, secrets).slice(cut ? room : 0).replace(/\r\n?/g, "\n").trimEnd();
  const tail = redacted.split("\n").slice(-TAIL_LINES).join("\n");
  return tail.length > TAIL_CHARS ? `…${tail.slice(-TAIL_CHARS)}` : tail;
}
