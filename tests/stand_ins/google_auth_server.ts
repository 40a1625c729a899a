/**
 * Stand-ins for where Google Application Default Credentials get access tokens, each checking what
 * Google checks, all issuing tokens the Vertex stand-in accepts:
 * - the metadata server of GKE workload identity and Compute Engine
 *   (`/computeMetadata/v1/…`, only with `Metadata-Flavor: Google`), which `google-auth-library`
 *   reaches through `GCE_METADATA_HOST`;
 * - Security Token Service token exchange (`POST /v1/token`), named by the `token_url` of a
 *   workload identity federation credentials file (`"type": "external_account"`), which checks the
 *   subject token against the workload's OIDC issuer and the pool provider's audience.
 * Sources: Compute Engine "About VM metadata", Google STS API reference (`v1/token`), the
 * external-account credentials file format (google-auth-library).
 */
import { randomBytes } from "node:crypto";
import type { OidcIssuer } from "./oidc_issuer.ts";

/** The access tokens issued, by value; the Vertex stand-in checks bearers against them. */
export function createGoogleTokens() {
  const tokens = new Map<string, { principal: string; expiresAt: number }>();
  return {
    issue(principal: string, ttlSeconds: number): string {
      const token = `ya29.${randomBytes(48).toString("base64url")}`;
      tokens.set(token, { principal, expiresAt: Date.now() + ttlSeconds * 1000 });
      return token;
    },
    /** The token's principal, `"expired"` or `"unknown"`. */
    check(token: string): { principal: string } | "expired" | "unknown" {
      const found = tokens.get(token);
      if (!found) return "unknown";
      return found.expiresAt <= Date.now() ? "expired" : { principal: found.principal };
    },
    /** Ends every token now (as when a key is disabled), though clients still think them valid. */
    expireAll(): void {
      for (const entry of tokens.values()) entry.expiresAt = 0;
    },
    /** Every token issued, to prove none leaks. */
    all(): string[] {
      return [...tokens.keys()];
    },
  };
}

/** A store from {@link createGoogleTokens}. */
export type GoogleTokens = ReturnType<typeof createGoogleTokens>;

/** Options for {@link startGoogleAuthStandIn}. */
export interface GoogleAuthStandInOptions {
  tokens: GoogleTokens;
  /** The project the metadata server reports. */
  projectId: string;
  /** The Google service account the workload runs as (GKE workload identity). */
  serviceAccount: string;
  /** The workload's OIDC issuer and the pool provider's audience, for token exchange. */
  federation?: { issuer: OidcIssuer; audience: string };
}

/** A running stand-in. */
export interface GoogleAuthStandIn {
  /** `GCE_METADATA_HOST` (host:port). */
  metadataHost: string;
  /** The `token_url` of an external-account credentials file. */
  tokenUrl: string;
  /** How many tokens each endpoint issued. */
  issued: { metadata: number; sts: number };
  close(): Promise<void>;
}

const TOKEN_TTL_S = 3599;

/** Starts the stand-in on 127.0.0.1 at an ephemeral port. */
export function startGoogleAuthStandIn(options: GoogleAuthStandInOptions): GoogleAuthStandIn {
  const issued = { metadata: 0, sts: 0 };

  function metadata(request: Request, path: string): Response {
    if (request.headers.get("metadata-flavor") !== "Google") {
      return new Response("Missing required header: Metadata-Flavor", { status: 403 });
    }
    const text = (body: string) =>
      new Response(body, { headers: { "metadata-flavor": "Google", "content-type": "application/text" } });
    if (path === "/computeMetadata/v1/project/project-id") return text(options.projectId);
    if (path === "/computeMetadata/v1/instance/service-accounts/default/email") {
      return text(options.serviceAccount);
    }
    if (path === "/computeMetadata/v1/instance/service-accounts/default/token") {
      issued.metadata += 1;
      return Response.json(
        {
          access_token: options.tokens.issue(options.serviceAccount, TOKEN_TTL_S),
          expires_in: TOKEN_TTL_S,
          token_type: "Bearer",
        },
        { headers: { "metadata-flavor": "Google" } },
      );
    }
    if (path === "/computeMetadata/v1/instance" || path === "/computeMetadata/v1/") return text("");
    return new Response("Not Found", { status: 404, headers: { "metadata-flavor": "Google" } });
  }

  async function exchange(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const invalid = (error: string, description: string) =>
      Response.json({ error, error_description: description }, { status: 400 });
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return invalid("unsupported_grant_type", "Unsupported grant type.");
    }
    const federation = options.federation;
    if (!federation || form.get("audience") !== federation.audience) {
      return invalid(
        "invalid_target",
        'The target service indicated by the "audience" parameters is invalid.',
      );
    }
    let subject: string;
    try {
      subject = await federation.issuer.verify(form.get("subject_token") ?? "", federation.audience);
    } catch (error) {
      return (error as { code?: string }).code === "ERR_JWT_EXPIRED"
        ? invalid("invalid_grant", "The access token has expired.")
        : invalid("invalid_grant", "The JWT signature is invalid.");
    }
    issued.sts += 1;
    return Response.json({
      access_token: options.tokens.issue(
        `principal://${federation.issuer.issuer}/subject/${subject}`,
        TOKEN_TTL_S,
      ),
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      token_type: "Bearer",
      expires_in: TOKEN_TTL_S,
    });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path.startsWith("/computeMetadata/")) return metadata(request, path);
    if (request.method === "POST" && path === "/v1/token") return exchange(request);
    return new Response("Not Found", { status: 404 });
  });
  let closing: Promise<void> | undefined;
  return {
    metadataHost: `127.0.0.1:${server.addr.port}`,
    tokenUrl: `http://127.0.0.1:${server.addr.port}/v1/token`,
    issued,
    close: () => closing ??= server.shutdown(),
  };
}
