/**
 * API keys for self-hosted use. Keys are random strings (`bak_…`); the service
 * only ever holds their SHA-256 hashes (`API_KEYS`), each with a name, scopes
 * and a repository allowlist.
 */
import { Buffer } from "node:buffer";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthFailure } from "./auth_failure.ts";
import { type Principal, REPO_PATTERN, type Scope, SCOPES } from "./principal.ts";

/** One configured key. */
export interface ApiKeyEntry {
  /** Principal name; the submitter is `key:<name>`. */
  name: string;
  /** SHA-256 of the key, 64 lower-case hex digits. */
  sha256: string;
  scopes: Scope[];
  /** Repository globs. */
  repos: string[];
}

const DEFAULT_SCOPES: Scope[] = ["jobs:read", "jobs:write"];
const HASH = /^sha256:([0-9a-f]{64})$/;
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * Parses `API_KEYS`: a JSON array whose items are either a hash string
 * `"sha256:<hex>"` (scopes `jobs:read jobs:write`, every repository) or an object
 * `{"name":"ci","hash":"sha256:<hex>","scopes":["jobs:write"],"repos":["acme/*"]}`
 * (`scopes` default `jobs:read jobs:write`, `repos` default `["*"]`).
 * @throws Error saying which item is wrong and why.
 */
export function parseApiKeys(raw: string): ApiKeyEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('API_KEYS must be a JSON array, e.g. [{"name":"ci","hash":"sha256:…"}]');
  }
  if (!Array.isArray(value)) throw new Error("API_KEYS must be a JSON array");
  const entries = value.map((item, i) => parseEntry(item, i));
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`API_KEYS: the name "${entry.name}" is used twice`);
    names.add(entry.name);
  }
  return entries;
}

function parseEntry(item: unknown, i: number): ApiKeyEntry {
  const where = `API_KEYS[${i}]`;
  const fields = typeof item === "string" ? { hash: item } : item;
  if (typeof fields !== "object" || fields === null) {
    throw new Error(`${where} must be "sha256:<hex>" or an object with name, hash, scopes, repos`);
  }
  const { name, hash, scopes = DEFAULT_SCOPES, repos = ["*"], ...rest } = fields as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`${where} has unknown fields: ${unknown.join(", ")}`);
  const digest = typeof hash === "string" ? HASH.exec(hash)?.[1] : undefined;
  if (!digest) {
    throw new Error(`${where}.hash must be "sha256:" and 64 lower-case hex digits (deno task hash-key)`);
  }
  const label = name ?? `sha256-${digest.slice(0, 8)}`;
  if (typeof label !== "string" || !NAME.test(label)) {
    throw new Error(`${where}.name must be 1-64 characters of letters, digits, ".", "_", "@", "-"`);
  }
  if (!Array.isArray(scopes) || scopes.some((s) => !SCOPES.includes(s))) {
    throw new Error(`${where}.scopes must be a list of ${SCOPES.join(", ")}`);
  }
  if (!Array.isArray(repos) || repos.some((r) => typeof r !== "string" || !REPO_PATTERN.test(r))) {
    throw new Error(`${where}.repos must be a list of repository globs like "acme/*"`);
  }
  return { name: label, sha256: digest, scopes: scopes as Scope[], repos: repos as string[] };
}

/**
 * What `deno task hash-key` prints where `--name` and `--repos` were not given: an entry still holding
 * one of these lets no submission through (403 for every repository but the placeholder's).
 */
export const API_KEY_PLACEHOLDERS = { name: "NAME", repo: "OWNER/*" } as const;

/** One warning per entry still holding a placeholder of {@link API_KEY_PLACEHOLDERS}, naming the fix. */
export function apiKeyPlaceholders(entries: readonly ApiKeyEntry[]): string[] {
  return entries.flatMap((entry) => {
    const held = [
      ...(entry.name === API_KEY_PLACEHOLDERS.name ? [`"name":"${entry.name}"`] : []),
      ...(entry.repos.includes(API_KEY_PLACEHOLDERS.repo)
        ? [`"repos":["${API_KEY_PLACEHOLDERS.repo}"]`]
        : []),
    ];
    return held.length === 0 ? [] : [
      `API_KEYS entry "${entry.name}" still holds the placeholder ${held.join(" and ")}: its key gets 403 ` +
      "for every real repository; replace it, or print a ready entry with " +
      "`deno task hash-key --name NAME --repos owner/name`",
    ];
  });
}

/** `sha256:<hex>` of `key`, the form `API_KEYS` holds. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/** A new random key: `bak_` and 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `bak_${randomBytes(32).toString("base64url")}`;
}

/**
 * Builds the key check: the presented key's hash is compared with every
 * entry in constant time.
 * @throws AuthFailure `unknown_key` from the returned function when no entry matches.
 */
export function createApiKeyVerifier(entries: readonly ApiKeyEntry[]): (key: string) => Promise<Principal> {
  const known = entries.map((entry) => ({
    digest: Buffer.from(entry.sha256, "hex"),
    principal: {
      id: `key:${entry.name}`,
      kind: "api_key" as const,
      scopes: new Set(entry.scopes),
      repos: entry.repos,
    },
  }));
  return (key) => {
    const digest = createHash("sha256").update(key).digest();
    let match: Principal | undefined;
    for (const entry of known) {
      if (timingSafeEqual(digest, entry.digest) && !match) match = entry.principal;
    }
    return match ? Promise.resolve(match) : Promise.reject(new AuthFailure("unknown_key"));
  };
}
