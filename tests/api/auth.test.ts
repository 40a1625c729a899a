import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createApiKeyVerifier, hashApiKey, parseApiKeys } from "../../src/api/auth/api_keys.ts";
import { createJwtVerifier, type JwtSettings, remoteJwks } from "../../src/api/auth/jwt_verifier.ts";
import { type ApiFixture, apiFixture, errorOf } from "./api_fixture.ts";

const ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test";
const AUDIENCE = "backend-agent-api";
const CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado";
const SETTINGS: JwtSettings = {
  issuer: ISSUER,
  audiences: [AUDIENCE, CLIENT_ID],
  algorithms: ["RS256", "ES256"],
  clockToleranceSec: 5,
  tokenUse: "access",
  scopePrefix: "backend-agent/",
  reposClaim: "repos",
  defaultRepos: ["*"],
};
const API_KEY = "bak_matrix-key-abcdefghijklmnopqrstuvwxyz0123456";
const BODY = { repo: "acme/tasks", issue: 12 };

describe("authentication and authorisation", () => {
  let server: Deno.HttpServer<Deno.NetAddr>;
  let api: ApiFixture;
  let rsa: CryptoKeyPair;
  let ec: CryptoKeyPair;
  let intruder: CryptoKeyPair;
  let jwks: JWK[];
  const now = () => Math.floor(Date.now() / 1000);

  /** A token with sensible claims; `claims` overrides (undefined deletes). */
  const token = (
    claims: Record<string, unknown> = {},
    options: { key?: CryptoKey; alg?: string; kid?: string } = {},
  ) => {
    const payload: Record<string, unknown> = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: "user-1",
      scope: "backend-agent/jobs:write backend-agent/jobs:read",
      token_use: "access",
      iat: now(),
      exp: now() + 600,
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    return new SignJWT(payload as never)
      .setProtectedHeader({ alg: options.alg ?? "RS256", kid: options.kid ?? "rsa-1" })
      .sign(options.key ?? rsa.privateKey);
  };
  const submit = (headers: Record<string, string>) =>
    api.app.request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(BODY),
    });
  const bearer = async (jwt: string | Promise<string>) => submit({ authorization: `Bearer ${await jwt}` });

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256", { extractable: true });
    ec = await generateKeyPair("ES256", { extractable: true });
    intruder = await generateKeyPair("RS256", { extractable: true });
    const keys: JWK[] = jwks = [
      { ...await exportJWK(rsa.publicKey), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...await exportJWK(ec.publicKey), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => Response.json({ keys }),
    );
    const jwksUrl = `http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`;
    const entries = parseApiKeys(
      JSON.stringify([{ name: "ci", hash: hashApiKey(API_KEY), repos: ["acme/*"] }]),
    );
    api = apiFixture({
      auth: { jwt: createJwtVerifier(SETTINGS, remoteJwks(jwksUrl)), apiKey: createApiKeyVerifier(entries) },
    });
  });
  afterAll(async () => {
    api.store.close();
    await server.shutdown();
  });

  test("a valid RS256 or ES256 token is accepted; the submitter comes from its sub", async () => {
    const response = await bearer(token());
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ submitter: "jwt:user-1" });
    const es = await bearer(token({ sub: "user-2" }, { key: ec.privateKey, alg: "ES256", kid: "ec-1" }));
    expect(es.status).toBe(202);
  });

  test("a Cognito access token without aud is accepted when its client_id is configured", async () => {
    expect((await bearer(token({ aud: undefined, client_id: CLIENT_ID }))).status).toBe(202);
    expect((await bearer(token({ aud: undefined, client_id: "someone-else" }))).status).toBe(401);
  });

  test("every bad credential gets the same bare 401 and an audit line with the reason, never the token", async () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${
      b64({ iss: ISSUER, aud: AUDIENCE, sub: "x", exp: now() + 600, scope: "jobs:write" })
    }.`;
    const hmac = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: "x", scope: "jobs:write" })
      .setProtectedHeader({ alg: "HS256", kid: "rsa-1" }).setExpirationTime("10m")
      .sign(new TextEncoder().encode("a-shared-secret-that-is-long-enough-000"));
    const cases: Array<[string, Record<string, string>, string]> = [
      ["no token", {}, "missing"],
      ["not a bearer", { authorization: "Basic dXNlcjpwYXNz" }, "malformed"],
      ["malformed JWT", { authorization: "Bearer abc.def.ghi" }, "malformed"],
      ["alg none", { authorization: `Bearer ${unsigned}` }, "algorithm_not_allowed"],
      ["HS256 (alg confusion)", { authorization: `Bearer ${hmac}` }, "algorithm_not_allowed"],
      [
        "wrong key, same kid",
        { authorization: `Bearer ${await token({}, { key: intruder.privateKey })}` },
        "bad_signature",
      ],
      ["unknown kid", {
        authorization: `Bearer ${await token({}, { key: intruder.privateKey, kid: "other" })}`,
      }, "bad_signature"],
      [
        "expired",
        { authorization: `Bearer ${await token({ exp: now() - 60, iat: now() - 700 })}` },
        "expired",
      ],
      ["not yet valid", { authorization: `Bearer ${await token({ nbf: now() + 120 })}` }, "not_yet_valid"],
      ["no exp", { authorization: `Bearer ${await token({ exp: undefined })}` }, "invalid_claims"],
      [
        "wrong issuer",
        { authorization: `Bearer ${await token({ iss: "https://evil.example" })}` },
        "wrong_issuer",
      ],
      [
        "wrong audience",
        { authorization: `Bearer ${await token({ aud: "another-api" })}` },
        "wrong_audience",
      ],
      ["id token", { authorization: `Bearer ${await token({ token_use: "id" })}` }, "wrong_token_use"],
      ["unknown API key", { authorization: "Bearer bak_not-a-key" }, "unknown_key"],
      ["unknown X-API-Key", { "x-api-key": "bak_not-a-key" }, "unknown_key"],
    ];
    for (const [name, headers, reason] of cases) {
      const before = api.auditLines.length;
      const response = await submit(headers);
      expect(response.status, name).toBe(401);
      expect(response.headers.get("www-authenticate"), name).toBe('Bearer realm="backend-agent"');
      const text = await response.text();
      expect(JSON.parse(text).error, name).toMatchObject({
        code: "unauthenticated",
        message: "Missing or invalid credentials",
      });
      const lines = api.auditLines.slice(before);
      expect(lines.map((l) => JSON.parse(l)), name).toEqual([
        expect.objectContaining({ event: "auth_failed", reason }),
      ]);
      const credential = (headers.authorization ?? headers["x-api-key"] ?? "").replace(/^\w+ /, "");
      if (credential) {
        for (const part of credential.split(".").filter((p) => p.length > 8)) {
          expect(text, name).not.toContain(part);
          expect(lines.join("\n"), name).not.toContain(part);
        }
      }
    }
  });

  test("a token a little past exp or before nbf passes within the clock tolerance", async () => {
    expect((await bearer(token({ exp: now() - 2 }))).status).toBe(202);
    expect((await bearer(token({ nbf: now() + 2 }))).status).toBe(202);
  });

  test("a token without jobs:write gets 403 on submit but may read", async () => {
    const reader = await token({ scope: "backend-agent/jobs:read" });
    const response = await bearer(reader);
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ code: "forbidden" });
    expect((await api.call("/v1/jobs", { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    expect(api.audit().at(-1)).toMatchObject({
      event: "access_denied",
      principal: "jwt:user-1",
      reason: "missing scope jobs:write",
    });
  });

  test("scopes from the scp claim count; unknown scopes do not", async () => {
    expect((await bearer(token({ scope: undefined, scp: ["backend-agent/jobs:write"] }))).status).toBe(202);
    expect((await bearer(token({ scope: "other/jobs:write backend-agent/jobs:writer" }))).status).toBe(403);
  });

  test("with AUTH_SCOPE_PREFIX set, a scope without the prefix (another resource server's) does not count", async () => {
    for (const claims of [{ scope: "jobs:write jobs:read" }, { scope: undefined, scp: ["jobs:write"] }]) {
      const response = await bearer(token(claims));
      expect(response.status, JSON.stringify(claims)).toBe(403);
      expect(await errorOf(response)).toMatchObject({ code: "forbidden" });
    }
    expect(api.audit().at(-1)).toMatchObject({
      event: "access_denied",
      principal: "jwt:user-1",
      reason: "missing scope jobs:write",
    });
    // Without a prefix configured, bare scopes are the scopes.
    const bare = createJwtVerifier({ ...SETTINGS, scopePrefix: "" }, createLocalJWKSet({ keys: jwks }));
    expect((await bare(await token({ scope: "jobs:write" }))).scopes).toEqual(new Set(["jobs:write"]));
    expect((await bare(await token({ scope: "backend-agent/jobs:write" }))).scopes).toEqual(new Set());
  });

  test('a token whose sub is not a string is refused: a numeric 12 would be the principal of the string "12"', async () => {
    for (const sub of [12, ["user-1"], { id: "user-1" }, "", "user\n-1", "x".repeat(256)]) {
      const before = api.auditLines.length;
      const response = await bearer(token({ sub }));
      expect(response.status, JSON.stringify(sub)).toBe(401);
      expect(api.audit().slice(before), JSON.stringify(sub)).toEqual([
        expect.objectContaining({ event: "auth_failed", reason: "invalid_claims" }),
      ]);
    }
    const named = await bearer(token({ sub: "12" }));
    expect(named.status).toBe(202);
    expect(await named.json()).toMatchObject({ submitter: "jwt:12" });
  });

  test("a repository outside the token's allowlist is refused with 403", async () => {
    const scoped = await token({ repos: ["acme/*"] });
    expect((await bearer(scoped)).status).toBe(202);
    const other = await api.call("/v1/jobs", {
      body: { repo: "globex/tasks", issue: 1 },
      headers: { authorization: `Bearer ${scoped}` },
    });
    expect(other.status).toBe(403);
    expect(await errorOf(other)).toMatchObject({ code: "repo_not_allowed" });
    expect(api.audit().at(-1)).toMatchObject({
      event: "access_denied",
      reason: "repository globex/tasks not allowed",
    });
    expect((await bearer(token({ repos: "acme/api, acme/web" }))).status).toBe(403);
    expect((await bearer(token({ repos: 42 }))).status).toBe(401);
  });

  test("an API key works as a bearer token or in X-API-Key, within its repositories", async () => {
    const viaBearer = await submit({ authorization: `Bearer ${API_KEY}` });
    expect(viaBearer.status).toBe(202);
    expect(await viaBearer.json()).toMatchObject({ submitter: "key:ci" });
    expect((await submit({ "x-api-key": API_KEY })).status).toBe(202);
    const outside = await api.call("/v1/jobs", {
      body: { repo: "globex/tasks", issue: 1 },
      headers: { "x-api-key": API_KEY },
    });
    expect(outside.status).toBe(403);
    expect(api.auditLines.join("\n")).not.toContain(API_KEY);
  });

  test("an unreachable key set is a 503, not a 401", async () => {
    const down = apiFixture({
      auth: { jwt: createJwtVerifier(SETTINGS, remoteJwks("http://127.0.0.1:9/jwks.json")) },
    });
    const response = await down.call("/v1/jobs", {
      body: BODY,
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ code: "auth_unavailable" });
    expect(down.audit().at(-1)).toMatchObject({ event: "auth_failed", reason: "jwks_unavailable" });
    down.store.close();
  });

  test("with nothing configured every request is refused; AUTH_DISABLED lets everyone in as anonymous", async () => {
    const closed = apiFixture({ auth: {} });
    expect((await closed.call("/v1/jobs", { body: BODY, headers: { authorization: "Bearer bak_x" } })).status)
      .toBe(401);
    closed.store.close();
    const open = apiFixture({ auth: { disabled: true } });
    const response = await open.app.request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(BODY),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ submitter: "anonymous" });
    open.store.close();
  });

  test("health, readiness and the API description need no credentials", async () => {
    for (const path of ["/healthz", "/readyz", "/openapi.json", "/docs"]) {
      expect((await api.app.request(path)).status, path).toBe(200);
    }
  });
});

function b64(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}
