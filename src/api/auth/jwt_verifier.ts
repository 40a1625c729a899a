/**
 * Bearer JWTs verified against the identity provider's JWKS (Cognito and any
 * OIDC provider): signature with an allowed algorithm, issuer, audience (or
 * Cognito's `client_id` on access tokens), `token_use`, expiry and not-before
 * with a small clock tolerance, then scopes and the repository allowlist.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from "jose";
import { AuthFailure, type AuthFailureReason, AuthUnavailable } from "./auth_failure.ts";
import { type Principal, REPO_PATTERN, type Scope, SCOPES } from "./principal.ts";

/** How tokens are checked (from `AUTH_*` settings). */
/** Which Cognito token kinds are accepted (`AUTH_TOKEN_USE`): the `token_use` claim, or any. */
export const TOKEN_USES = ["access", "id", "any"] as const;

/** One of {@link TOKEN_USES}. */
export type TokenUse = typeof TOKEN_USES[number];

export interface JwtSettings {
  /** `AUTH_ISSUER`: the `iss` every token must carry. */
  issuer: string;
  /** `AUTH_AUDIENCE`: accepted `aud` values, or `client_id` values of tokens without `aud`. */
  audiences: readonly string[];
  /** `AUTH_ALGORITHMS`, e.g. `RS256`, `ES256`; `none` and HMAC are never accepted. */
  algorithms: readonly string[];
  /** `AUTH_CLOCK_TOLERANCE_S`: seconds of skew allowed on `exp` and `nbf`. */
  clockToleranceSec: number;
  /** `AUTH_TOKEN_USE`: when a token carries `token_use`, it must be this; `any` skips the check. */
  tokenUse: TokenUse;
  /**
   * `AUTH_SCOPE_PREFIX`, e.g. Cognito's `backend-agent/`: when set, only scopes carrying it count
   * (with it stripped); a bare `jobs:write` is another resource server's scope, not ours.
   */
  scopePrefix: string;
  /** `AUTH_REPOS_CLAIM`: claim holding the repository globs (array, or space/comma separated). */
  reposClaim: string;
  /** `AUTH_DEFAULT_REPOS`: globs for tokens without that claim. */
  defaultRepos: readonly string[];
}

/**
 * The identity provider's key set at `url`, fetched on first use and cached
 * (refetched at most every 30 s when a token names an unknown key). Needs `--allow-net`.
 */
export function remoteJwks(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });
}

/**
 * Builds the token check.
 * @param getKey the key set: {@link remoteJwks} or `createLocalJWKSet` (tests).
 * @returns a function resolving to the token's principal, or rejecting with
 *   {@link AuthFailure} (the caller's fault) or {@link AuthUnavailable} (the key set could not be read).
 */
export function createJwtVerifier(
  settings: JwtSettings,
  getKey: JWTVerifyGetKey,
): (token: string) => Promise<Principal> {
  const audiences = new Set(settings.audiences);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: settings.issuer,
        algorithms: [...settings.algorithms],
        clockTolerance: settings.clockToleranceSec,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw classify(error);
    }
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audienceOk = aud.length > 0
      ? aud.some((a) => audiences.has(a))
      : typeof payload.client_id === "string" && audiences.has(payload.client_id);
    if (!audienceOk) throw new AuthFailure("wrong_audience");
    // RFC 7519 §4.1.2: `sub` is a string. `jwt:12` from a numeric sub would be the principal of the string "12".
    if (typeof payload.sub !== "string" || !SUBJECT.test(payload.sub)) {
      throw new AuthFailure("invalid_claims");
    }
    if (
      settings.tokenUse !== "any" && payload.token_use !== undefined &&
      payload.token_use !== settings.tokenUse
    ) {
      throw new AuthFailure("wrong_token_use");
    }
    const repos = repoClaim(payload[settings.reposClaim]) ?? settings.defaultRepos;
    return {
      id: `jwt:${payload.sub}`,
      kind: "jwt",
      scopes: scopesOf(payload, settings.scopePrefix),
      repos,
    };
  };
}

function scopesOf(payload: JWTPayload, prefix: string): Set<Scope> {
  const raw = [payload.scope, payload.scp].flatMap((v) =>
    typeof v === "string" ? v.split(/\s+/) : Array.isArray(v) ? v.filter((s) => typeof s === "string") : []
  );
  const scopes = new Set<Scope>();
  for (const scope of raw) {
    if (prefix && !scope.startsWith(prefix)) continue;
    const bare = scope.slice(prefix.length);
    if ((SCOPES as readonly string[]).includes(bare)) scopes.add(bare as Scope);
  }
  return scopes;
}

function repoClaim(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value;
  if (!Array.isArray(list) || list.some((r) => typeof r !== "string" || !REPO_PATTERN.test(r))) {
    throw new AuthFailure("invalid_claims");
  }
  return list as string[];
}

/** A token's `sub`: 1-255 characters, none of them control characters. */
// deno-lint-ignore no-control-regex -- control characters are what it refuses.
const SUBJECT = /^[^\x00-\x1f\x7f]{1,255}$/;

const REASONS: Record<string, AuthFailureReason> = {
  [errors.JWTExpired.code]: "expired",
  [errors.JOSEAlgNotAllowed.code]: "algorithm_not_allowed",
  [errors.JWSSignatureVerificationFailed.code]: "bad_signature",
  [errors.JWKSNoMatchingKey.code]: "bad_signature",
  [errors.JWKSMultipleMatchingKeys.code]: "bad_signature",
  [errors.JWSInvalid.code]: "malformed",
  [errors.JWTInvalid.code]: "malformed",
  [errors.JOSENotSupported.code]: "malformed",
  [errors.JWKInvalid.code]: "bad_signature",
};
const CLAIMS: Record<string, AuthFailureReason> = {
  nbf: "not_yet_valid",
  iss: "wrong_issuer",
  exp: "expired",
};

function classify(error: unknown): Error {
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.reason === "missing" ? undefined : CLAIMS[error.claim];
    return new AuthFailure(reason ?? "invalid_claims", { cause: error });
  }
  const code = error instanceof errors.JOSEError ? error.code : undefined;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason) return new AuthFailure(reason, { cause: error });
  return new AuthUnavailable("Cannot read the identity provider's key set (AUTH_JWKS_URL)", { cause: error });
}
