/**
 * A stand-in for Google's OAuth 2.0 token endpoint, `POST https://oauth2.googleapis.com/token`, where a
 * service-account key file's holder trades a signed JWT for an access token (the JWT bearer grant,
 * RFC 7523). `google-auth-library` sends there whatever the key file's `token_uri` says, so the
 * stand-in is reached as Google is: through a `CONNECT` proxy (`HTTPS_PROXY`) that tunnels
 * `oauth2.googleapis.com:443` only, to a TLS server whose certificate a throwaway CA signed (the
 * client trusts it through `DENO_CERT`). It checks what Google checks: the grant type; the assertion
 * an RS256 JWT signed by one of the service account's registered keys (verified by `jose` with the
 * public key); `iss` a known service account, `aud` the token URL, `exp` not past, a `scope` present.
 * A bad signature or an unknown account gets Google's 400 `invalid_grant`. The access tokens come from
 * the shared {@link GoogleTokens} store, which the Vertex stand-in checks bearers against.
 * Sources: "Using OAuth 2.0 for Server to Server Applications" (Google Identity), RFC 7523.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { decodeJwt, jwtVerify } from "jose";
import { selfSigned, signed } from "../../scripts/engine_tls.ts";
import { type ConnectProxy, startConnectProxy } from "./connect_proxy.ts";
import type { GoogleTokens } from "./google_auth_server.ts";

/** The token URL Google's libraries use (and the JWT's `aud`). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
const HOST = "oauth2.googleapis.com";
const TOKEN_TTL_S = 3599;

/** A service-account key file, as the Cloud console downloads it. */
export interface ServiceAccountKeyFile {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

/** A new key file for `clientEmail` in `projectId` (a fresh RSA 2048 key), and its public key. */
export function makeServiceAccountKey(
  clientEmail: string,
  projectId: string,
): { keyFile: ServiceAccountKeyFile; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keyFile: {
      type: "service_account",
      project_id: projectId,
      private_key_id: randomBytes(20).toString("hex"),
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: clientEmail,
      client_id: String(BigInt(`0x${randomBytes(8).toString("hex")}`)),
      token_uri: GOOGLE_TOKEN_URL,
    },
    publicKey,
  };
}

/** A running stand-in. */
export interface GoogleOAuthStandIn {
  /** `HTTPS_PROXY` for the client. */
  proxyUrl: string;
  /** `DENO_CERT` for the client: the throwaway CA's certificate file. */
  caFile: string;
  proxy: Pick<ConnectProxy, "tunnels" | "refusals">;
  /** Each grant's outcome, in order: the service account, or the `invalid_grant` description. */
  grants: string[];
  /** Registers a service account's public key (as uploading a key in IAM does). */
  register(clientEmail: string, publicKey: KeyObject): void;
  close(): Promise<void>;
}

/**
 * Starts the TLS token endpoint and its proxy on 127.0.0.1; the CA and certificate go in a new
 * temporary folder (`openssl` needed), removed by `close`.
 */
export async function startGoogleOAuthStandIn(tokens: GoogleTokens): Promise<GoogleOAuthStandIn> {
  const dir = await Deno.makeTempDir({ prefix: "google-oauth-" });
  await selfSigned(dir, "throwaway test CA", "ca");
  await signed(dir, "server", `/CN=${HOST}`, `subjectAltName=DNS:${HOST}\nextendedKeyUsage=serverAuth\n`);
  const keys = new Map<string, KeyObject[]>();
  const grants: string[] = [];

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const refuse = (error: string, description: string) => {
      grants.push(description);
      return Response.json({ error, error_description: description }, { status: 400 });
    };
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return refuse("unsupported_grant_type", "Invalid grant_type: " + (form.get("grant_type") ?? ""));
    }
    const assertion = form.get("assertion") ?? "";
    let issuer: string;
    try {
      issuer = String(decodeJwt(assertion).iss);
    } catch {
      return refuse(
        "invalid_request",
        "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
      );
    }
    const registered = keys.get(issuer);
    if (!registered) return refuse("invalid_grant", "Invalid grant: account not found");
    for (const key of registered) {
      try {
        await jwtVerify(assertion, key, {
          algorithms: ["RS256"],
          issuer,
          audience: GOOGLE_TOKEN_URL,
          requiredClaims: ["exp", "iat", "scope"],
        });
        grants.push(issuer);
        return Response.json({
          access_token: tokens.issue(issuer, TOKEN_TTL_S),
          expires_in: TOKEN_TTL_S,
          token_type: "Bearer",
        });
      } catch (error) {
        if ((error as { code?: string }).code !== "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
          return refuse(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
          );
        }
      }
    }
    return refuse("invalid_grant", "Invalid JWT Signature.");
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(`${dir}/server-cert.pem`),
    key: await Deno.readTextFile(`${dir}/server-key.pem`),
    onListen: () => {},
  }, (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/token") return token(request);
    return new Response("Not Found", { status: 404 });
  });
  const proxy = startConnectProxy({
    host: `${HOST}:443`,
    to: { hostname: "127.0.0.1", port: server.addr.port },
  });
  let closing: Promise<void> | undefined;
  return {
    proxyUrl: proxy.url,
    caFile: `${dir}/ca.pem`,
    proxy,
    grants,
    register(clientEmail, publicKey) {
      keys.set(clientEmail, [...keys.get(clientEmail) ?? [], publicKey]);
    },
    close: () =>
      closing ??= (async () => {
        await proxy.close();
        await server.shutdown();
        await Deno.remove(dir, { recursive: true });
      })(),
  };
}
