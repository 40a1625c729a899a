/**
 * Token accounting of the Anthropic stand-in: counts estimated from characters
 * (~4 per token) and a prompt cache that behaves like the real one at the
 * `cache_control` breakpoints of each request.
 */
import { createHash } from "node:crypto";

/** The usage object of a Messages API response. */
export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const CHARS_PER_TOKEN = 4;

/** Estimated tokens of `chars` characters. */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** JSON of a block without its `cache_control` marker, so markers do not change the prefix. */
function serialize(value: unknown): string {
  return JSON.stringify(value, (key, inner) => key === "cache_control" ? undefined : inner);
}

function hasBreakpoint(value: unknown): boolean {
  return typeof value === "object" && value !== null && "cache_control" in value &&
    (value as { cache_control?: unknown }).cache_control != null;
}

/**
 * The prompt in cache order (tools, then system, then messages), one segment
 * per block, each flagged when it carries a cache breakpoint.
 */
export function promptSegments(body: Record<string, unknown>): Array<{ text: string; breakpoint: boolean }> {
  const segments: Array<{ text: string; breakpoint: boolean }> = [];
  const add = (block: unknown) => segments.push({ text: serialize(block), breakpoint: hasBreakpoint(block) });
  for (const tool of Array.isArray(body.tools) ? body.tools : []) add(tool);
  if (typeof body.system === "string") add(body.system);
  else if (Array.isArray(body.system)) body.system.forEach(add);
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    const { role, content } = message as { role?: unknown; content?: unknown };
    segments.push({ text: serialize(role), breakpoint: false });
    if (Array.isArray(content)) content.forEach(add);
    else add(content);
  }
  return segments;
}

/** Counts the number of `cache_control` breakpoints in a request. */
export function countBreakpoints(body: Record<string, unknown>): number {
  return promptSegments(body).filter((segment) => segment.breakpoint).length;
}

/**
 * A prompt cache: remembers the prefixes at breakpoints it has written, and
 * prices a request the way the API does (read the longest cached prefix, write
 * up to the last breakpoint, bill the rest as plain input).
 */
export function createPromptCache(options: { minCacheTokens: number }) {
  const written = new Set<string>();
  const hash = (text: string) => createHash("sha256").update(text).digest("hex");

  return {
    /** Usage of one request whose answer is `outputChars` characters long. */
    usageFor(body: Record<string, unknown>, outputChars: number): WireUsage {
      const prefixes: Array<{ key: string; tokens: number }> = [];
      let text = "";
      for (const segment of promptSegments(body)) {
        text += segment.text;
        if (segment.breakpoint) prefixes.push({ key: hash(text), tokens: tokensOf(text.length) });
      }
      const total = tokensOf(text.length);
      const cacheable = prefixes.filter((prefix) => prefix.tokens >= options.minCacheTokens);
      const hit = [...cacheable].reverse().find((prefix) => written.has(prefix.key));
      const read = hit?.tokens ?? 0;
      const last = cacheable.at(-1);
      const creation = last !== undefined && !written.has(last.key) ? last.tokens - read : 0;
      for (const prefix of cacheable) written.add(prefix.key);
      return {
        input_tokens: total - read - creation,
        output_tokens: Math.max(1, tokensOf(outputChars)),
        cache_creation_input_tokens: creation,
        cache_read_input_tokens: read,
      };
    },
  };
}
