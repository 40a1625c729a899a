import { describe, expect, test } from "vitest";
import { OOM_COUNTER_BASH } from "../../src/sandbox/oom_counter.ts";
import {
  commandLine,
  type CommandOutput,
  CommandReader,
  type CommandStatus,
  killedByOom,
  newNonce,
} from "../../src/sandbox/shell_protocol.ts";

const NONCE = "0123456789abcdef0123456789abcdef";
const bytes = (text: string) => new TextEncoder().encode(text);
const statusLine = (rc: number | string, before = 0, after = 0, nonce = NONCE) =>
  `\n__BA_${nonce}_${rc}_${before}_${after}__\n`;
const endLine = (nonce = NONCE) => `\n__BA_${nonce}__\n`;

/** Splits `data` into chunks at `cuts` (byte offsets). */
function chunksAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const edges = [0, ...cuts, data.length];
  return edges.slice(1).map((end, i) => data.subarray(edges[i], end));
}

/** Feeds both streams (stdout first, then stderr, or interleaved chunk by chunk) and returns what was read. */
function read(
  stdout: Uint8Array[],
  stderr: Uint8Array[],
  maxOutputBytes = 1 << 20,
): { status: CommandStatus | undefined; done: boolean } & CommandOutput {
  const reader = new CommandReader(NONCE, maxOutputBytes);
  for (let i = 0; i < Math.max(stdout.length, stderr.length); i++) {
    if (stdout[i]) reader.pushStdout(stdout[i]!);
    if (stderr[i]) reader.pushStderr(stderr[i]!);
  }
  return { status: reader.status, done: reader.done, ...reader.output() };
}

describe("the writer wraps a command in one line that ends in the sentinels", () => {
  test("the command is single-quoted for eval, with stdin from /dev/null", () => {
    const line = commandLine(`printf '%s' "it's"`, NONCE, undefined);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(line).toContain(`eval 'printf '\\''%s'\\'' "it'\\''s"' </dev/null;`);
    expect(line).toMatch(/^__ba_oom; __ba_o=\$__ba_n; /);
    expect(line).toContain(`__ba_rc=$?; __ba_oom; builtin printf '\\n__BA_%s_%s_%s_%s__\\n' ${NONCE} `);
    expect(line).toContain(`builtin printf '\\n__BA_%s__\\n' ${NONCE} >&2`);
  });

  test("with stdin the command reads exactly that many bytes from the session", () => {
    const line = commandLine("cat", NONCE, 42);
    expect(line).toContain("head -c 42 | { eval 'cat'; };");
    expect(line).not.toContain("/dev/null");
  });

  test("nonces are 32 hex digits and differ each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("the reader finds the sentinels in a stream chunked any way", () => {
  const out = bytes(`héllo\nwörld${statusLine(3, 1, 1)}`);
  const err = bytes(`warning: ünïcode${endLine()}`);
  const expected = {
    status: { rc: 3, oomBefore: 1, oomAfter: 1 },
    done: true,
    stdout: "héllo\nwörld",
    stderr: "warning: ünïcode",
    truncated: false,
  };

  test("in one chunk each", () => {
    expect(read([out], [err])).toEqual(expected);
  });

  test("split at every byte offset, sentinels and multi-byte characters included", () => {
    for (let at = 1; at < out.length; at++) {
      expect(read(chunksAt(out, [at]), chunksAt(err, [Math.min(at, err.length - 1)]))).toEqual(expected);
    }
  });

  test("one byte at a time", () => {
    const ones = (data: Uint8Array) =>
      chunksAt(data, Array.from({ length: data.length - 1 }, (_, i) => i + 1));
    expect(read(ones(out), ones(err))).toEqual(expected);
  });

  test("a long output ahead of the sentinel does not hide it", () => {
    const long = bytes(`${"x".repeat(100_000)}${statusLine(0)}`);
    const result = read(chunksAt(long, [99_990, 100_010]), [bytes(endLine())]);
    expect(result.status?.rc).toBe(0);
    expect(result.stdout).toBe("x".repeat(100_000));
  });
});

describe("the reader waits for both sentinels", () => {
  test("not done with only the status sentinel, nor with only the end sentinel", () => {
    const reader = new CommandReader(NONCE, 1024);
    reader.pushStderr(bytes(`err${endLine()}`));
    expect(reader.done).toBe(false);
    expect(reader.status).toBeUndefined();
    reader.pushStdout(bytes(`out${statusLine(0)}`));
    expect(reader.done).toBe(true);
    const other = new CommandReader(NONCE, 1024);
    other.pushStdout(bytes(`out${statusLine(0)}`));
    expect(other.status).toEqual({ rc: 0, oomBefore: 0, oomAfter: 0 });
    expect(other.done).toBe(false);
  });

  test("output without a final newline is kept whole; a final newline is kept too", () => {
    expect(read([bytes(`out${statusLine(0)}`)], [bytes(`err${endLine()}`)])).toMatchObject({
      stdout: "out",
      stderr: "err",
    });
    expect(read([bytes(`out\n${statusLine(0)}`)], [bytes(`err\n${endLine()}`)])).toMatchObject({
      stdout: "out\n",
      stderr: "err\n",
    });
    expect(read([bytes(statusLine(0))], [bytes(endLine())])).toMatchObject({ stdout: "", stderr: "" });
  });
});

describe("output that looks like a sentinel is output", () => {
  test("another command's sentinels, or this nonce's with a malformed status, do not end the command", () => {
    const other = "fedcba9876543210fedcba9876543210";
    const fake = `${statusLine(0, 0, 0, other)}${statusLine("x")}x__BA_${NONCE}_1_2_3__\n`;
    const result = read(
      [bytes(fake), bytes(`tail${statusLine(7)}`)],
      [bytes(endLine(other)), bytes(`e${endLine()}`)],
    );
    expect(result.status).toEqual({ rc: 7, oomBefore: 0, oomAfter: 0 });
    expect(result.stdout).toBe(`${fake}tail`);
    expect(result.stderr).toBe(`${endLine(other)}e`);
  });

  test("a reader that has not seen its own sentinels is not done", () => {
    const reader = new CommandReader(NONCE, 1024);
    reader.pushStdout(bytes(statusLine(0, 0, 0, "0".repeat(32))));
    reader.pushStderr(bytes(endLine("0".repeat(32))));
    expect(reader.status).toBeUndefined();
    expect(reader.done).toBe(false);
  });

  test("what a background job prints after the sentinels is dropped", () => {
    const result = read(
      [bytes(`out${statusLine(0)}late in the same chunk`), bytes("later\n")],
      [bytes(`err${endLine()}late`), bytes("later\n")],
    );
    expect(result).toMatchObject({ stdout: "out", stderr: "err" });
  });
});

describe("exit codes and the OOM counter", () => {
  test.each([0, 1, 2, 127, 137, 255])("exit status %i comes back as it is", (rc) => {
    expect(read([bytes(statusLine(rc))], [bytes(endLine())]).status?.rc).toBe(rc);
  });

  test("the counter before and after is read, -1 where it is unreadable", () => {
    expect(read([bytes(statusLine(137, 4, 5))], [bytes(endLine())]).status).toEqual({
      rc: 137,
      oomBefore: 4,
      oomAfter: 5,
    });
    expect(read([bytes(statusLine(0, -1, -1))], [bytes(endLine())]).status).toEqual({
      rc: 0,
      oomBefore: -1,
      oomAfter: -1,
    });
  });

  test("an OOM kill is SIGKILL while the counter rose; anything else is not", () => {
    expect(killedByOom({ rc: 137, oomBefore: 0, oomAfter: 1 })).toBe(true);
    expect(killedByOom({ rc: 137, oomBefore: 2, oomAfter: 2 })).toBe(false);
    expect(killedByOom({ rc: 137, oomBefore: -1, oomAfter: 1 })).toBe(false);
    expect(killedByOom({ rc: 137, oomBefore: -1, oomAfter: -1 })).toBe(false);
    expect(killedByOom({ rc: 1, oomBefore: 0, oomAfter: 1 })).toBe(false);
  });
});

describe("capped output", () => {
  test("is cut to head and tail, says so, and still ends at the sentinel", () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `line ${i}\n`).join("");
    const result = read(
      chunksAt(bytes(`${lines}${statusLine(0)}`), [1000, 20_000, 40_000]),
      [bytes(endLine())],
      2048,
    );
    expect(result.truncated).toBe(true);
    expect(result.status?.rc).toBe(0);
    expect(result.stdout).toMatch(/^line 0\nline 1\n/);
    expect(result.stdout).toMatch(/\n\[\.\.\. \d+ bytes elided \.\.\.\]\n/);
    expect(result.stdout).toMatch(/line 4999\n$/);
  });
});

describe("writer and reader agree, through a real bash", () => {
  /** Runs the session's preamble and `lines` through one bash and reads the first command's result. */
  async function throughBash(input: string): Promise<ReturnType<typeof read>> {
    const bash = new Deno.Command("bash", {
      args: ["--noprofile", "--norc"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
      clearEnv: true,
    }).spawn();
    const writer = bash.stdin.getWriter();
    await writer.write(bytes(`${OOM_COUNTER_BASH}\n${input}`));
    await writer.close();
    const { stdout, stderr } = await bash.output();
    return read(chunksAt(stdout, [1, 7]), chunksAt(stderr, [3]));
  }

  test("status, stdout and stderr of a command, quotes and newlines included", async () => {
    const command = `printf '%s|' "it's" 'a "b"'\necho; echo oops >&2; (exit 42)`;
    const result = await throughBash(commandLine(command, NONCE, undefined));
    expect(result).toMatchObject({ done: true, stdout: `it's|a "b"|\n`, stderr: "oops\n", truncated: false });
    expect(result.status?.rc).toBe(42);
    expect(Number.isInteger(result.status?.oomBefore)).toBe(true);
    expect(result.status?.oomAfter).toBeGreaterThanOrEqual(-1);
  });

  test("a command given stdin reads exactly its bytes, and the session goes on after it", async () => {
    const first = commandLine("cat; echo", NONCE, 6);
    const second = commandLine("echo second", newNonce(), undefined);
    const result = await throughBash(`${first}hello\n${second}`);
    expect(result).toMatchObject({ done: true, stdout: "hello\n\n", stderr: "" });
    expect(result.status?.rc).toBe(0);
  });
});
