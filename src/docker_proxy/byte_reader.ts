/** A buffered reader over a connection: HTTP heads, lines and exact byte counts, with limits. */
import { ProxyRefusal } from "./refusal.ts";

/** Anything with Deno's `read` (a `Deno.Conn`). */
export interface Source {
  read(p: Uint8Array): Promise<number | null>;
}

const CRLFCRLF = [13, 10, 13, 10];

/** Reads from `source`, keeping what it read ahead for the next call. */
export class ByteReader {
  #buffer = new Uint8Array(0);
  #ended = false;

  constructor(private readonly source: Source) {}

  /**
   * Bytes up to and including the first blank line (`\r\n\r\n`), as latin1 text.
   * @throws ProxyRefusal 431 when those are more than `limit` bytes; 400 at end of stream before them.
   * Returns null when the stream ended before its first byte.
   */
  async readHead(limit: number): Promise<string | null> {
    let from = 0;
    for (;;) {
      const at = indexOf(this.#buffer, CRLFCRLF, from);
      // Not found in `length` bytes: the head is longer than that.
      if ((at >= 0 ? at + 4 : this.#buffer.length + 1) > limit) {
        throw new ProxyRefusal(431, `HTTP head over ${limit} bytes`);
      }
      if (at >= 0) return latin1(this.#take(at + 4));
      from = Math.max(0, this.#buffer.length - 3);
      if (!await this.#fill()) {
        if (this.#buffer.length === 0) return null;
        throw new ProxyRefusal(400, "connection ended inside the HTTP head");
      }
    }
  }

  /**
   * One line without its `\r\n`, as latin1 text.
   * @throws ProxyRefusal 400 when the line (without `\r\n`) is over `limit` bytes, or at end of stream.
   */
  async readLine(limit: number): Promise<string> {
    let from = 0;
    for (;;) {
      const at = indexOf(this.#buffer, [13, 10], from);
      // Not found in `length` bytes: the line is at least `length - 1` bytes (a CR may end the buffer).
      if ((at >= 0 ? at : this.#buffer.length - 1) > limit) {
        throw new ProxyRefusal(400, `line over ${limit} bytes`);
      }
      if (at >= 0) return latin1(this.#take(at + 2).subarray(0, at));
      from = Math.max(0, this.#buffer.length - 1);
      if (!await this.#fill()) throw new ProxyRefusal(400, "connection ended inside a line");
    }
  }

  /** Exactly `n` bytes. @throws ProxyRefusal 400 at end of stream. */
  async readExactly(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      if (!await this.#fill()) throw new ProxyRefusal(400, "connection ended inside the body");
    }
    return this.#take(n);
  }

  /** Everything until the end of the stream. @throws ProxyRefusal 502 past `limit` bytes. */
  async readToEnd(limit: number): Promise<Uint8Array> {
    while (await this.#fill()) {
      if (this.#buffer.length > limit) throw new ProxyRefusal(502, `upstream answer over ${limit} bytes`);
    }
    return this.#take(this.#buffer.length);
  }

  /** Everything read ahead and not yet returned (e.g. stdin sent right after a hijack request). */
  takeBuffered(): Uint8Array {
    return this.#take(this.#buffer.length);
  }

  #take(n: number): Uint8Array {
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return out;
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const chunk = new Uint8Array(16 * 1024);
    const n = await this.source.read(chunk);
    if (n === null) {
      this.#ended = true;
      return false;
    }
    const next = new Uint8Array(this.#buffer.length + n);
    next.set(this.#buffer);
    next.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = next;
    return true;
  }
}

function indexOf(haystack: Uint8Array, needle: number[], from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
