/**
 * A package index URL as configured (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`), split into what may
 * be shown and what may not: Artifactory, Nexus and devpi URLs carry `user:token@`. The URL with
 * its credentials goes only into the setup container's exec environment; keys, events, logs and
 * errors get {@link PackageIndex.publicUrl}, and text that may hold the secret is passed through
 * {@link redactSecrets} first.
 */

/** One package index. */
export interface PackageIndex {
  /** The URL as configured, credentials included: only for the setup container's exec environment. */
  url: string;
  /** The URL without user info, e.g. `https://nexus.example.com/simple`. */
  publicUrl: string;
  /** Its host name, lower case, without port. */
  host: string;
  /**
   * The secrets the URL holds, longest first (empty without): its password (or its user name when
   * that is all there is, a token), as written and decoded, and `user:password`.
   */
  secrets: string[];
}

/**
 * Reads `url` (from the setting `setting`, named in the error).
 * @throws TypeError when it is not an http(s) URL with a host name.
 */
export function parsePackageIndex(url: string, setting: string): PackageIndex {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(`${setting} is not a URL`, { cause });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError(`${setting} must be an http(s) URL`);
  }
  if (parsed.hostname === "" || parsed.hostname.startsWith("[")) {
    throw new TypeError(`${setting} must name a host (a name or IPv4 address)`);
  }
  // The password is the secret; a user name alone (`https://TOKEN@host/`) is a token.
  const secret = parsed.password || parsed.username;
  const secrets = new Set<string>();
  if (secret !== "") {
    secrets.add(secret);
    secrets.add(safeDecode(secret));
    if (parsed.password) secrets.add(`${parsed.username}:${parsed.password}`);
  }
  parsed.username = "";
  parsed.password = "";
  return {
    url,
    publicUrl: parsed.toString(),
    host: parsed.hostname.toLowerCase(),
    secrets: [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length),
  };
}

/**
 * `text` with every secret (and its percent-encoded form) replaced by `[redacted]`, and any
 * `scheme://user:password@` left in it reduced to `scheme://[redacted]@`.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join("[redacted]");
    }
  }
  return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s"']+@/gi, "$1[redacted]@");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
