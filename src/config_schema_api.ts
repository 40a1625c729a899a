/**
 * The settings of the HTTP API and its callers' authentication: where it listens, its limits, JWTs or
 * API keys, and the audit log. Part of the settings schema (`config_schema.ts`).
 */
import { z } from "zod";
import { TOKEN_USES } from "./api/auth/jwt_verifier.ts";
import { REPO_PATTERN } from "./api/auth/principal.ts";
import { bool, list, positiveInt, secret } from "./config_setting_kinds.ts";

/** Signature algorithms `AUTH_ALGORITHMS` may name (never `none` or HMAC). */
const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

/** `HOST`, `PORT`, `API_*`, `AUTH_*`, `API_KEYS`, `AUDIT_LOG_PATH`, `IDEMPOTENCY_KEY_TTL_MS`. */
export const apiSettings = {
  HOST: z.string().default("127.0.0.1"),
  PORT: positiveInt("PORT", 8080),
  IDEMPOTENCY_KEY_TTL_MS: positiveInt("IDEMPOTENCY_KEY_TTL_MS", 86_400_000),
  API_MAX_BODY_BYTES: positiveInt("API_MAX_BODY_BYTES", 64 * 1024),
  API_PUBLIC_URL: z.url({ error: "API_PUBLIC_URL must be a URL" }).optional(),
  AUTH_JWKS_URL: z.url({ error: "AUTH_JWKS_URL must be a URL" }).optional(),
  AUTH_ISSUER: z.string().min(1, "AUTH_ISSUER is empty").optional(),
  AUTH_AUDIENCE: list("AUTH_AUDIENCE").optional(),
  AUTH_TOKEN_USE: z.enum(TOKEN_USES, { error: `AUTH_TOKEN_USE must be one of ${TOKEN_USES.join(", ")}` })
    .default("access"),
  AUTH_ALGORITHMS: list("AUTH_ALGORITHMS").default(["RS256", "ES256"]).refine(
    (algs) => algs.every((a) => JWT_ALGORITHMS.includes(a)),
    `AUTH_ALGORITHMS must be a comma-separated list of ${JWT_ALGORITHMS.join(", ")}`,
  ),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number({ error: "AUTH_CLOCK_TOLERANCE_S must be a number" })
    .int("AUTH_CLOCK_TOLERANCE_S must be an integer").min(0).max(
      300,
      "AUTH_CLOCK_TOLERANCE_S must be at most 300",
    )
    .default(30),
  AUTH_SCOPE_PREFIX: z.string().default(""),
  AUTH_REPOS_CLAIM: z.string().min(1, "AUTH_REPOS_CLAIM is empty").default("repos"),
  AUTH_DEFAULT_REPOS: list("AUTH_DEFAULT_REPOS").default(["*"]).refine(
    (repos) => repos.every((r) => REPO_PATTERN.test(r)),
    'AUTH_DEFAULT_REPOS must be repository globs like "acme/*"',
  ),
  API_KEYS: secret(z.string().optional()),
  AUTH_DISABLED: bool(false),
  AUDIT_LOG_PATH: z.string().min(1, "AUDIT_LOG_PATH is empty").optional(),
};
