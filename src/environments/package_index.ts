/**
 * A package index URL as configured (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`), split into what may
 * be shown and what may not: Artifactory, Nexus and devpi URLs carry `user:token@`; Cloudsmith and
 * Gemfury also take a token as a path segment (`https://dl.cloudsmith.io/TOKEN/org/repo/python/simple/`,
 * `https://pypi.fury.io/TOKEN/user/`), and some indexes take one in the query. The URL with
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
   * that is all there is, a token), as written and decoded, and `user:password`; each path segment
   * that looks like a token ({@link looksLikeToken}) and each query value of 8 characters or more
   * (the public URL hides every query value).
   */
  secrets: string[];
}

/**
 * Whether a path segment of an index URL is taken for a token: at least 12 characters of
 * `[A-Za-z0-9._~-]` holding a digit, or both upper and lower case letters. Words such as
 * `pypi-virtual-remote` or `simple` are not; a random token of that length nearly always is.
 */
export function looksLikeToken(segment: string): boolean {
  return segment.length >= 12 && /^[A-Za-z0-9._~-]+$/.test(segment) &&
    (/[0-9]/.test(segment) || (/[a-z]/.test(segment) && /[A-Z]/.test(segment)));
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
  const segments = parsed.pathname.split("/");
  for (const segment of segments) if (looksLikeToken(segment)) secrets.add(segment);
  // A short query value is not a token, and redacting it would mangle words of pip's output.
  for (const [, value] of parsed.searchParams) if (value.length >= 8) secrets.add(value);
  const path = segments.map((segment) => looksLikeToken(segment) ? "[redacted]" : segment).join("/");
  const query = [...parsed.searchParams.keys()].map((key) => `${key}=[redacted]`).join("&");
  return {
    url,
    publicUrl: `${parsed.origin}${path}${query ? `?${query}` : ""}`,
    host: parsed.hostname.toLowerCase(),
    secrets: [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length),
  };
}

/**
 * The forms of `secret` that text may carry it in: as written, percent-encoded, and Base64 (standard
 * and URL-safe) at each of the three byte alignments it can have inside a longer encoded text (the
 * characters of the encoding that depend on the secret's bytes alone).
 */
export function secretForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const forms = new Set([secret, encodeURIComponent(secret)]);
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const encoded = btoa(String.fromCharCode(...padded));
    const inner = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    if (inner.length >= 4) {
      forms.add(inner);
      forms.add(inner.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * `text` with every secret (in each of its {@link secretForms}) replaced by `[redacted]`, and any
 * `scheme://user:password@` left in it reduced to `scheme://[redacted]@`. Linear in `text`: the user
 * info is found by scanning from each `://`, not by a pattern (one with a scheme before the `://` and
 * a run after it takes quadratic time on text such as `a.a.a.…://bbb…`).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of secretForms(secret)) out = out.split(form).join("[redacted]");
  }
  return withoutUserInfo(out);
}

/** Characters that end a URL's user info as the redaction reads it. */
const NOT_USER_INFO = new Set(["/", "@", '"', "'"]);

/** `…://user:password@…` → `…://[redacted]@…`, for every `://` in `text`. */
function withoutUserInfo(text: string): string {
  const pieces: string[] = [];
  let copied = 0;
  for (let at = text.indexOf("://"); at >= 0; at = text.indexOf("://", at + 3)) {
    const start = at + 3;
    let end = start;
    while (end < text.length && !NOT_USER_INFO.has(text[end]!) && !/\s/.test(text[end]!)) end++;
    if (end > start && text[end] === "@") {
      pieces.push(text.slice(copied, start), "[redacted]");
      copied = end;
    }
  }
  pieces.push(text.slice(copied));
  return pieces.join("");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
