/**
 * Collects a byte stream up to a cap, keeping its head and its tail and
 * counting what was dropped in between.
 */
export class CappedOutput {
  #head: Uint8Array[] = [];
  #headBytes = 0;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  #dropped = 0;
  readonly #half: number;

  /** @param maxBytes total bytes kept (half head, half tail). */
  constructor(maxBytes: number) {
    this.#half = Math.max(1, Math.floor(maxBytes / 2));
  }

  /** True when some bytes were dropped. */
  get truncated(): boolean {
    return this.#dropped > 0;
  }

  /** Adds a chunk. */
  push(chunk: Uint8Array): void {
    let rest = chunk;
    if (this.#headBytes < this.#half) {
      const take = Math.min(this.#half - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    while (this.#tailBytes > this.#half) {
      const first = this.#tail[0]!;
      const excess = this.#tailBytes - this.#half;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
        this.#dropped += first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailBytes -= excess;
        this.#dropped += excess;
      }
    }
  }

  /** The kept bytes as text, with a line stating how much was elided. */
  text(): string {
    const decoder = new TextDecoder();
    const head = decoder.decode(concat(this.#head));
    const tail = decoder.decode(concat(this.#tail));
    if (this.#dropped === 0) return head + tail;
    return `${head}\n[... ${this.#dropped} bytes elided ...]\n${tail}`;
  }
}

/** Joins byte chunks into one array. */
export function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
