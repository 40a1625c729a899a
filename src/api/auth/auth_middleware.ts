/**
 * Middleware: `authenticate` verifies the caller and puts the principal on the
 * context; `requireScope` refuses callers without a scope. Refusals are
 * audited; the response says only "missing or invalid credentials" (401) or
 * which scope is needed (403).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AuditLog } from "../../audit.ts";
import type { ApiEnv } from "../api_env.ts";
import { HttpError } from "../http_error.ts";
import { AuthFailure, AuthUnavailable } from "./auth_failure.ts";
import type { Authenticator, Credentials } from "./authenticator.ts";
import { hasScope, type Scope } from "./principal.ts";

/** The credentials a request carries: its `Authorization` and `X-Api-Key` headers, when present. */
export function credentialsOf(c: Context<ApiEnv>): Credentials {
  const authorization = c.req.header("authorization");
  const apiKey = c.req.header("x-api-key");
  return {
    ...(authorization !== undefined ? { authorization } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/** Verifies every request's credentials. */
export function authenticate(authenticator: Authenticator, audit: AuditLog): MiddlewareHandler<ApiEnv> {
  return async function authenticateRequest(c, next) {
    try {
      c.set("principal", await authenticator(credentialsOf(c)));
    } catch (error) {
      const reason = error instanceof AuthFailure
        ? error.reason
        : error instanceof AuthUnavailable
        ? "jwks_unavailable"
        : "error";
      audit.record({
        event: "auth_failed",
        reason,
        method: c.req.method,
        path: c.req.path,
        requestId: c.get("requestId"),
      });
      if (error instanceof AuthFailure) {
        throw new HttpError(401, "unauthenticated", "Missing or invalid credentials");
      }
      if (error instanceof AuthUnavailable) {
        throw new HttpError(503, "auth_unavailable", "Credentials cannot be checked right now; try again");
      }
      throw error;
    }
    await next();
  };
}

/** Refuses (403) a principal without `scope`. */
export function requireScope(scope: Scope, audit: AuditLog): MiddlewareHandler<ApiEnv> {
  return async function requireScopeOf(c, next) {
    const principal = c.get("principal");
    if (!hasScope(principal, scope)) {
      audit.record({
        event: "access_denied",
        principal: principal.id,
        reason: `missing scope ${scope}`,
        method: c.req.method,
        path: c.req.path,
        requestId: c.get("requestId"),
      });
      throw new HttpError(403, "forbidden", `This credential lacks the ${scope} scope`);
    }
    await next();
  };
}
