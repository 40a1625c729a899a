/**
 * JSON request bodies: parsing, and how refusals quote keys and values. The
 * engine decodes JSON with Go's `encoding/json`, which matches field names
 * case-insensitively and still honours legacy spellings (HostConfig fields at
 * the top level of a create body); so every object is checked against an
 * exact list of keys (`policy_engine.ts`), anything else is refused, and what
 * is forwarded is the checked object re-serialised.
 */
import { badRequest } from "./refusal.ts";

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Parses `body` as a JSON object; an empty body is `{}`.
 * @throws ProxyRefusal 400 for invalid UTF-8, invalid JSON or a non-object.
 */
export function parseJsonObject(body: Uint8Array, call: string): JsonObject {
  if (body.byteLength === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw badRequest(`docker-proxy: ${call}: the body is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw badRequest(`docker-proxy: ${call}: the body must be a JSON object`);
  return value;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short, single-line rendering of a refused value for a message. */
export function brief(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A key as a refusal names it: as is when plain, else quoted. */
export function keyName(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : brief(key);
}
