/**
 * Strict checks on JSON request bodies. The engine decodes JSON with Go's
 * `encoding/json`, which matches field names case-insensitively and still
 * honours legacy spellings (HostConfig fields at the top level of a create
 * body); so every object is checked against an exact list of keys, anything
 * else is refused, and what is forwarded is the checked object re-serialised.
 */
import { badRequest, forbidden } from "./refusal.ts";

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

/** Checks on one request body; every failure is a 403 naming the call and the field. */
export class BodyCheck {
  /** @param call e.g. `POST /containers/create`. */
  constructor(private readonly call: string) {}

  /** Refuses with `<call> refused: <field> <rule>`. */
  fail(field: string, rule: string): never {
    throw forbidden(`docker-proxy: ${this.call} refused: ${field} ${rule}`);
  }

  /** Refuses any key of `obj` outside `allowed`. */
  onlyKeys(obj: JsonObject, allowed: readonly string[], path = ""): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(`${path}${show(key)}`, "is not allowed");
    }
  }

  /** The object at `obj[key]`; refuses a non-object; undefined when absent or null. */
  object(obj: JsonObject, key: string, path = ""): JsonObject | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) this.fail(`${path}${key}`, "must be an object");
    return v;
  }

  /** Refuses unless `obj[key]` is absent, null, or a string. */
  optionalString(obj: JsonObject, key: string, path = ""): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") this.fail(`${path}${key}`, "must be a string");
    return v;
  }

  /** Refuses unless `obj[key]` is absent, null, or a boolean. */
  optionalBoolean(obj: JsonObject, key: string, path = ""): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") this.fail(`${path}${key}`, "must be a boolean");
    return v;
  }

  /** Refuses unless `obj[key]` is a positive integer. */
  positiveInteger(obj: JsonObject, key: string, path = ""): number {
    const v = obj[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) {
      this.fail(`${path}${key}`, "must be set to a positive integer");
    }
    return v;
  }

  /** Refuses unless `obj[key]` is absent, null, a string or an array of strings. */
  optionalStrings(obj: JsonObject, key: string, path = ""): string[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return [v];
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
      this.fail(`${path}${key}`, "must be a list of strings");
    }
    return v as string[];
  }

  /** Refuses unless `obj[key]` is absent, null or an empty list. */
  emptyList(obj: JsonObject, key: string, path = ""): void {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (!Array.isArray(v) || v.length > 0) this.fail(`${path}${key}`, `must be empty, got ${brief(v)}`);
  }

  /** Refuses unless `obj[key]` is absent, null, or an object of string values. */
  stringMap(obj: JsonObject, key: string, path = ""): Record<string, string> | undefined {
    const v = this.object(obj, key, path);
    if (!v) return undefined;
    for (const [k, value] of Object.entries(v)) {
      if (typeof value !== "string") this.fail(`${path}${key}[${show(k)}]`, "must be a string");
    }
    return v as Record<string, string>;
  }
}

/** A short, single-line rendering of a refused value for a message. */
export function brief(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function show(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : brief(key);
}
