/** Why a credential was not accepted. */
export type AuthFailureReason =
  | "missing"
  | "malformed"
  | "unknown_key"
  | "bad_signature"
  | "algorithm_not_allowed"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "wrong_token_use"
  | "invalid_claims"
  | "not_configured";

/**
 * A credential was refused. `reason` goes to the audit log; the caller only
 * ever sees a generic 401.
 */
export class AuthFailure extends Error {
  override name = "AuthFailure";
  constructor(readonly reason: AuthFailureReason, options?: { cause?: unknown }) {
    super(`credential refused: ${reason}`, options);
  }
}

/** The identity provider's keys could not be fetched: the server's fault, answered with 503. */
export class AuthUnavailable extends Error {
  override name = "AuthUnavailable";
}
