/**
 * The wire protocol of the bash session, both halves. Pure.
 *
 * Writer ({@link commandLine}): the one line sent per command. It runs the
 * command, then prints a status sentinel on stdout,
 * `\n__BA_<nonce>_<status>_<oom before>_<oom after>__\n`, and an end
 * sentinel on stderr, `\n__BA_<nonce>__\n`. The OOM numbers are the
 * container's OOM-kill counter (`__ba_oom`, see `oom_counter.ts`), -1 where
 * it is unreadable.
 *
 * Reader ({@link CommandReader}): takes the two streams in chunks of any size,
 * finds the sentinels (also when split across chunks), and hands back the
 * status and the output before the sentinels, capped.
 */
import { SIGKILL_STATUS } from "./oom_counter.ts";
import { CappedOutput } from "./output_cap.ts";

/** What the status sentinel carries. */
export interface CommandStatus {
  /** The command's exit status (`$?`), 0–255. */
  rc: number;
  /** The container's OOM-kill counter before the command; -1 when unreadable. */
  oomBefore: number;
  /** The counter after the command; -1 when unreadable. */
  oomAfter: number;
}

/** What the reader hands back for one command. */
export interface CommandOutput {
  /** Stdout before the status sentinel (head and tail when capped). */
  stdout: string;
  /** Stderr before the end sentinel (head and tail when capped). */
  stderr: string;
  /** True when stdout or stderr went past the cap. */
  truncated: boolean;
}

/** How many trailing characters of a stream are searched for its sentinel (a sentinel is under 80). */
const TAIL_CHARS = 300;

/** A fresh nonce for one command: 32 hex digits, which no command can guess. */
export function newNonce(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The one line bash reads for a command: the counter before, the command, its
 * status and the counter after, then the two sentinels. It is one line because
 * bash reads a whole line before running it, so with `stdin` the bytes after
 * the newline are exactly what `head -c` hands the command.
 * @param command any bash text (newlines and quotes included), run with `eval`.
 * @param stdinBytes how many bytes follow the line for the command's stdin; undefined: stdin is /dev/null.
 */
export function commandLine(command: string, nonce: string, stdinBytes: number | undefined): string {
  const quoted = `'${command.replaceAll("'", `'\\''`)}'`;
  const body = stdinBytes === undefined
    ? `eval ${quoted} </dev/null`
    : `head -c ${stdinBytes} | { eval ${quoted}; }`;
  return `__ba_oom; __ba_o=$__ba_n; ${body}; __ba_rc=$?; __ba_oom; ` +
    `builtin printf '\\n__BA_%s_%s_%s_%s__\\n' ${nonce} "$__ba_rc" "$__ba_o" "$__ba_n"; ` +
    `builtin printf '\\n__BA_%s__\\n' ${nonce} >&2\n`;
}

/** True when the command was killed by the memory limit: SIGKILL while the OOM-kill counter rose. */
export function killedByOom(status: CommandStatus): boolean {
  return status.rc === SIGKILL_STATUS && status.oomBefore >= 0 && status.oomAfter > status.oomBefore;
}

/** One stream of one command: capped bytes plus a decoded tail to find the sentinel in. */
class StreamReader {
  readonly output: CappedOutput;
  #tail = "";
  readonly #decoder = new TextDecoder();

  constructor(maxBytes: number) {
    this.output = new CappedOutput(maxBytes);
  }

  /** Keeps `chunk` and returns the stream's last {@link TAIL_CHARS} characters so far. */
  push(chunk: Uint8Array): string {
    this.output.push(chunk);
    this.#tail = (this.#tail + this.#decoder.decode(chunk, { stream: true })).slice(-TAIL_CHARS);
    return this.#tail;
  }
}

/**
 * Reads one command's stdout and stderr off the session, up to its sentinels.
 * Chunks that arrive after a stream's sentinel (a background job still
 * printing) are dropped; text after the sentinel in the same chunk is cut.
 */
export class CommandReader {
  readonly #out: StreamReader;
  readonly #err: StreamReader;
  readonly #statusLine: RegExp;
  readonly #statusMarker: string;
  readonly #endMarker: string;
  #status: CommandStatus | undefined;
  #stderrDone = false;

  /** @param maxOutputBytes cap on stdout and on stderr, each. */
  constructor(nonce: string, maxOutputBytes: number) {
    this.#out = new StreamReader(maxOutputBytes);
    this.#err = new StreamReader(maxOutputBytes);
    this.#statusLine = new RegExp(`\\n__BA_${nonce}_(\\d+)_(-?\\d+)_(-?\\d+)__\\n`);
    this.#statusMarker = `\n__BA_${nonce}_`;
    this.#endMarker = `\n__BA_${nonce}__\n`;
  }

  /** The status sentinel's fields, once stdout has carried it. */
  get status(): CommandStatus | undefined {
    return this.#status;
  }

  /** True once both sentinels were read. */
  get done(): boolean {
    return this.#status !== undefined && this.#stderrDone;
  }

  /** Takes a chunk of the session's stdout. */
  pushStdout(chunk: Uint8Array): void {
    if (this.#status) return;
    const m = this.#out.push(chunk).match(this.#statusLine);
    if (m) this.#status = { rc: Number(m[1]), oomBefore: Number(m[2]), oomAfter: Number(m[3]) };
  }

  /** Takes a chunk of the session's stderr. */
  pushStderr(chunk: Uint8Array): void {
    if (this.#stderrDone) return;
    if (this.#err.push(chunk).includes(this.#endMarker)) this.#stderrDone = true;
  }

  /** The output so far without the sentinels (and whatever followed them). */
  output(): CommandOutput {
    return {
      stdout: cut(this.#out.output.text(), this.#statusMarker),
      stderr: cut(this.#err.output.text(), this.#endMarker),
      truncated: this.#out.output.truncated || this.#err.output.truncated,
    };
  }
}

/** The text before the last `marker` (the sentinel and anything a stray background job printed after it). */
function cut(text: string, marker: string): string {
  const at = text.lastIndexOf(marker);
  return at < 0 ? text : text.slice(0, at);
}
