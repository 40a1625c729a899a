/**
 * Token accounting of the Anthropic stand-in: counts estimated from characters
 * (~4 per token) and a prompt cache that behaves like the real one at the
 * `cache_control` breakpoints of each request.
 */
import { createHash } from "node:crypto";

/** The usage object of a Messages API response; `cache_creation` splits the cache writes by TTL. */
export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** A prompt segment: its text, and its `cache_control` TTL when it carries a breakpoint. */
export interface Segment {
  text: string;
  breakpoint: boolean;
  /** `5m` (the default) or `1h`, for a breakpoint. */
  ttl?: "5m" | "1h";
}

/** Characters a token stands for, unless a stand-in is told otherwise. */
export const CHARS_PER_TOKEN = 4;

/** Tokens of `chars` characters at `charsPerToken` (default {@link CHARS_PER_TOKEN}). */
export function tokensOf(chars: number, charsPerToken = CHARS_PER_TOKEN): number {
  return Math.ceil(chars / charsPerToken);
}

/** JSON of a block without its `cache_control` marker, so markers do not change the prefix. */
function serialize(value: unknown): string {
  return JSON.stringify(value, (key, inner) => key === "cache_control" ? undefined : inner);
}

function breakpointOf(value: unknown): Pick<Segment, "breakpoint" | "ttl"> {
  const control = typeof value === "object" && value !== null
    ? (value as { cache_control?: { ttl?: unknown } | null }).cache_control
    : undefined;
  if (control == null) return { breakpoint: false };
  return { breakpoint: true, ttl: control.ttl === "1h" ? "1h" : "5m" };
}

/**
 * The prompt in cache order (tools, then system, then messages), one segment
 * per block, each flagged when it carries a cache breakpoint.
 */
export function promptSegments(body: Record<string, unknown>): Segment[] {
  const segments: Segment[] = [];
  const add = (block: unknown) => segments.push({ text: serialize(block), ...breakpointOf(block) });
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

/** The prompt's tokens (tools, system and messages), as the count-tokens endpoint reports them. */
export function promptTokens(body: Record<string, unknown>, charsPerToken = CHARS_PER_TOKEN): number {
  return tokensOf(promptSegments(body).reduce((sum, segment) => sum + segment.text.length, 0), charsPerToken);
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
export function createPromptCache(options: { minCacheTokens: number; charsPerToken?: number }) {
  const perToken = options.charsPerToken ?? CHARS_PER_TOKEN;
  const written = new Set<string>();
  const hash = (text: string) => createHash("sha256").update(text).digest("hex");

  return {
    /**
     * Usage of one request whose answer is `outputTokens` long. Cache writes are split by the TTL of
     * the breakpoint that ends each newly written stretch.
     */
    usageFor(body: Record<string, unknown>, outputTokens: number): WireUsage {
      const prefixes: Array<{ key: string; tokens: number; ttl: "5m" | "1h" }> = [];
      let text = "";
      for (const segment of promptSegments(body)) {
        text += segment.text;
        if (segment.breakpoint) {
          prefixes.push({
            key: hash(text),
            tokens: tokensOf(text.length, perToken),
            ttl: segment.ttl ?? "5m",
          });
        }
      }
      const total = tokensOf(text.length, perToken);
      const cacheable = prefixes.filter((prefix) => prefix.tokens >= options.minCacheTokens);
      const hit = [...cacheable].reverse().find((prefix) => written.has(prefix.key));
      const read = hit?.tokens ?? 0;
      const byTtl = { "5m": 0, "1h": 0 };
      let from = read;
      for (const prefix of cacheable) {
        if (prefix.tokens <= from) continue;
        byTtl[prefix.ttl] += prefix.tokens - from;
        from = prefix.tokens;
      }
      const creation = byTtl["5m"] + byTtl["1h"];
      for (const prefix of cacheable) written.add(prefix.key);
      return {
        input_tokens: total - read - creation,
        output_tokens: Math.max(1, outputTokens),
        cache_creation_input_tokens: creation,
        cache_read_input_tokens: read,
        cache_creation: { ephemeral_5m_input_tokens: byTtl["5m"], ephemeral_1h_input_tokens: byTtl["1h"] },
      };
    },
  };
}
