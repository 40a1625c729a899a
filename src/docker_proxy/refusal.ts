/**
 * The proxy's typed errors: a request it will not forward, and a setting it
 * will not start with.
 */
import { AgentRunnerError, ConfigError } from "../errors.ts";

/**
 * A request the proxy refuses. `status` is the HTTP status the client gets
 * (403 for policy, 400 for malformed HTTP or JSON, 404 for a missing target,
 * 413 for an oversized request, 429 at the sandbox limit, 502 when the engine
 * does not answer, 503 at the connection limit); the message names the
 * method, the path and the rule.
 */
export class ProxyRefusal extends AgentRunnerError {
  override name = "ProxyRefusal";
  constructor(readonly status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A `PROXY_*` setting is missing or invalid. */
export class ProxyConfigError extends ConfigError {
  override name = "ProxyConfigError";
}

/** A 403: the request is well formed but outside the policy. */
export function forbidden(message: string): ProxyRefusal {
  return new ProxyRefusal(403, message);
}

/** A 400: the request cannot be parsed. */
export function badRequest(message: string): ProxyRefusal {
  return new ProxyRefusal(400, message);
}
