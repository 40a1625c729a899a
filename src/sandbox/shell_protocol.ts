/**
 * The wire protocol of the bash session: the one line sent per command and
 * the sentinels that mark its end. Pure.
 */

/**
 * The one line bash reads for a command: the counter before, the command, its
 * status and the counter after, then the two sentinels. It is one line because
 * bash reads a whole line before running it, so with `stdin` the bytes after
 * the newline are exactly what `head -c` hands the command.
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

/** The text before the last `marker` (the sentinel and anything a stray background job printed after it). */
export function cut(text: string, marker: string): string {
  const at = text.lastIndexOf(marker);
  return at < 0 ? text : text.slice(0, at);
}
