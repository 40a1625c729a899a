/** How API callers are authenticated, from the settings (`AUTH_*`, `API_KEYS`). */
import { type ApiKeyEntry, parseApiKeys } from "./api/auth/api_keys.ts";
import type { JwtSettings } from "./api/auth/jwt_verifier.ts";
import type { Settings } from "./config_schema.ts";
import { ConfigError } from "./errors.ts";

/** How API callers are authenticated. */
export interface AuthConfig {
  /** `AUTH_DISABLED=true`: every caller is `anonymous` with every scope. */
  disabled: boolean;
  /** Set when `AUTH_JWKS_URL` is. */
  jwt?: JwtSettings & { jwksUrl: string };
  /** From `API_KEYS`. */
  apiKeys: ApiKeyEntry[];
}

/** Whether `host` is a loopback address: `localhost`, one in `127.0.0.0/8`, or `::1` in any of its forms. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(h)) return h.split(".").every((octet) => Number(octet) <= 255);
  if (!/^[0-9a-f:]+$/.test(h)) return false;
  try {
    return new URL(`http://[${h}]/`).hostname === "[::1]";
  } catch {
    return false;
  }
}

/** The API's authentication from the settings; every problem is listed at once.
 * @throws ConfigError naming each problem. */
export function authConfig(e: Settings): AuthConfig {
  const problems: string[] = [];
  let apiKeys: ApiKeyEntry[] = [];
  if (e.API_KEYS !== undefined) {
    try {
      apiKeys = parseApiKeys(e.API_KEYS);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  let jwt: AuthConfig["jwt"];
  if (e.AUTH_JWKS_URL) {
    if (!e.AUTH_ISSUER) problems.push("AUTH_ISSUER is required with AUTH_JWKS_URL (the tokens' iss)");
    if (!e.AUTH_AUDIENCE) {
      problems.push(
        "AUTH_AUDIENCE is required with AUTH_JWKS_URL (the tokens' aud, or Cognito app client ids)",
      );
    }
    if (e.AUTH_ISSUER && e.AUTH_AUDIENCE) {
      jwt = {
        jwksUrl: e.AUTH_JWKS_URL,
        issuer: e.AUTH_ISSUER,
        audiences: e.AUTH_AUDIENCE,
        algorithms: e.AUTH_ALGORITHMS,
        clockToleranceSec: e.AUTH_CLOCK_TOLERANCE_S,
        tokenUse: e.AUTH_TOKEN_USE,
        scopePrefix: e.AUTH_SCOPE_PREFIX,
        reposClaim: e.AUTH_REPOS_CLAIM,
        defaultRepos: e.AUTH_DEFAULT_REPOS,
      };
    }
  } else if (e.AUTH_ISSUER || e.AUTH_AUDIENCE) {
    problems.push("AUTH_ISSUER and AUTH_AUDIENCE need AUTH_JWKS_URL (where the signing keys are)");
  }
  if (e.AUTH_DISABLED && (e.AUTH_JWKS_URL || e.API_KEYS !== undefined)) {
    problems.push("AUTH_DISABLED=true cannot be combined with AUTH_JWKS_URL or API_KEYS; choose one");
  }
  if (e.AUTH_DISABLED && !isLoopback(e.HOST)) {
    problems.push(
      `AUTH_DISABLED=true lets every caller in, so it needs HOST on a loopback address, got HOST=${e.HOST}: ` +
        "set HOST=127.0.0.1 (or ::1, localhost), or configure API_KEYS or AUTH_JWKS_URL instead",
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return { disabled: e.AUTH_DISABLED, ...(jwt ? { jwt } : {}), apiKeys };
}
