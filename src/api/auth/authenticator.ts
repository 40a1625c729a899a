/**
 * Turns the credentials of a request into a {@link Principal}: a bearer JWT,
 * or an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`).
 * Fails closed: with nothing configured and authentication not disabled,
 * every request is refused.
 */
import { AuthFailure } from "./auth_failure.ts";
import { ANONYMOUS, type Principal } from "./principal.ts";

/** The credential headers of one request. */
export interface Credentials {
  authorization?: string;
  apiKey?: string;
}

/**
 * Verifies credentials.
 * @throws AuthFailure (401) or AuthUnavailable (503).
 */
export type Authenticator = (credentials: Credentials) => Promise<Principal>;

/** What {@link createAuthenticator} checks with. */
export interface AuthenticatorOptions {
  /** Bearer JWT check, when `AUTH_JWKS_URL` is set. */
  jwt?: (token: string) => Promise<Principal>;
  /** API key check, when `API_KEYS` is set. */
  apiKey?: (key: string) => Promise<Principal>;
  /** `AUTH_DISABLED=true`: everyone is {@link ANONYMOUS}. Default false. */
  disabled?: boolean;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const MAX_CREDENTIAL = 8192;

/** Builds the authenticator. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { jwt, apiKey } = options;
  if (options.disabled) return () => Promise.resolve(ANONYMOUS);
  return (credentials) => {
    if (credentials.apiKey !== undefined) {
      if (!apiKey || credentials.apiKey.length > MAX_CREDENTIAL) return refuse("unknown_key");
      return apiKey(credentials.apiKey.trim());
    }
    if (credentials.authorization === undefined) return refuse("missing");
    const match = /^Bearer +(\S+)\s*$/i.exec(credentials.authorization);
    const token = match?.[1];
    if (!token || token.length > MAX_CREDENTIAL) return refuse("malformed");
    if (JWT_SHAPE.test(token)) return jwt ? jwt(token) : refuse(apiKey ? "unknown_key" : "not_configured");
    return apiKey ? apiKey(token) : refuse(jwt ? "malformed" : "not_configured");
  };
}

function refuse(reason: AuthFailure["reason"]): Promise<never> {
  return Promise.reject(new AuthFailure(reason));
}
