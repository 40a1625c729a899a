import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import { GoogleAuth } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { type AnthropicStandIn, startAnthropicStandIn } from "./anthropic_server.ts";
import { ADD_LOGIN_SCRIPT, apiFailure } from "./provider_test_kit.ts";
import { createGoogleTokens, type GoogleAuthStandIn, startGoogleAuthStandIn } from "./google_auth_server.ts";
import { createOidcIssuer } from "./oidc_issuer.ts";
import { startVertexStandIn, type VertexStandIn } from "./vertex_server.ts";

const MODEL = "claude-sonnet-4-5@20250929";
const AUDIENCE =
  "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/agents/providers/eks";
const ask = {
  model: MODEL,
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: "Please: Add login" }],
};
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  Deno.env.delete("GCE_METADATA_HOST");
});

async function start() {
  const upstream: AnthropicStandIn = await startAnthropicStandIn({ scripts: [ADD_LOGIN_SCRIPT] });
  const tokens = createGoogleTokens();
  const issuer = await createOidcIssuer("https://container.googleapis.com/v1/projects/acme/clusters/agents");
  const auth: GoogleAuthStandIn = startGoogleAuthStandIn({
    tokens,
    projectId: "acme-agents",
    serviceAccount: "agent-runner@acme-agents.iam.gserviceaccount.com",
    federation: { issuer, audience: AUDIENCE },
  });
  const vertex: VertexStandIn = startVertexStandIn({
    upstream,
    tokens,
    projectId: "acme-agents",
    region: "us-east5",
  });
  closers.push(() => upstream.close(), () => auth.close(), () => vertex.close());
  const dir = await Deno.makeTempDir({ prefix: "vertex-standin-" });
  closers.push(() => Deno.remove(dir, { recursive: true }));
  await Deno.writeTextFile(
    `${dir}/token`,
    await issuer.mint("system:serviceaccount:agents:runner", AUDIENCE),
  );
  const credentialsFile = `${dir}/credentials.json`;
  await Deno.writeTextFile(
    credentialsFile,
    JSON.stringify({
      type: "external_account",
      audience: AUDIENCE,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: auth.tokenUrl,
      credential_source: { file: `${dir}/token` },
    }),
  );
  const client = async (
    google = new GoogleAuth({
      keyFilename: credentialsFile,
      scopes: ["https://www.googleapis.com/auth/cloud-platform"],
    }),
    projectId = "acme-agents",
  ) =>
    new AnthropicVertex({
      region: "us-east5",
      projectId,
      baseURL: vertex.url,
      authClient: await google.getClient(),
      maxRetries: 0,
    });
  return { client, vertex, auth, tokens };
}

describe("Vertex AI stand-in", () => {
  it("rawPredict: a token from workload identity federation (the file's token_url) gets the scripted turn", async () => {
    const { client, vertex, auth } = await start();
    const message = await (await client()).messages.create(ask);
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "bash", input: { command: "ls" } });
    expect(auth.issued.sts).toBe(1);
    expect(vertex.calls).toEqual([expect.objectContaining({ method: "rawPredict", model: MODEL })]);
    expect(vertex.calls[0]!.principal).toContain("system:serviceaccount:agents:runner");
    expect(vertex.calls[0]!.body).not.toHaveProperty("model");
  });

  it("streamRawPredict: the server-sent events make the same message", async () => {
    const { client, vertex } = await start();
    const message = await (await client()).messages.stream(ask).finalMessage();
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "bash", input: { command: "ls" } });
    expect(message.stop_reason).toBe("tool_use");
    expect(vertex.calls[0]!.method).toBe("streamRawPredict");
  });

  it("count-tokens:rawPredict counts the request's input tokens for the model named in the body", async () => {
    const { client, vertex } = await start();
    const { model, messages } = ask;
    const counted = await (await client()).messages.countTokens({ model, messages });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(vertex.calls).toEqual([expect.objectContaining({ method: "countTokens", model: MODEL })]);
  });

  it("GKE workload identity: the metadata server's token for the pod's service account is accepted", async () => {
    const { client, vertex, auth } = await start();
    Deno.env.set("GCE_METADATA_HOST", auth.metadataHost);
    await (await client(new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] })))
      .messages.create(ask);
    expect(auth.issued.metadata).toBe(1);
    expect(vertex.calls[0]!.principal).toBe("agent-runner@acme-agents.iam.gserviceaccount.com");
  });

  it("no bearer gets 401 CREDENTIALS_MISSING; an expired one 401 UNAUTHENTICATED (ACCESS_TOKEN_EXPIRED)", async () => {
    const { client, vertex, tokens } = await start();
    const path = `/projects/acme-agents/locations/us-east5/publishers/anthropic/models/${MODEL}:rawPredict`;
    const bare = await fetch(vertex.url + path, { method: "POST", body: "{}" });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({
      error: { code: 401, status: "UNAUTHENTICATED", details: [{ reason: "CREDENTIALS_MISSING" }] },
    });
    const vertexClient = await client();
    await vertexClient.messages.create(ask);
    tokens.expireAll();
    const error = await apiFailure(vertexClient.messages.create(ask));
    expect(error.status).toBe(401);
    expect(error.apiMessage).toMatch(
      /^Request had invalid authentication credentials\. Expected OAuth 2 access token/,
    );
    expect(vertex.refusals).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED"]);
  });

  it("another project gets 403 PERMISSION_DENIED", async () => {
    const { client, vertex } = await start();
    const error = await apiFailure((await client(undefined, "other-project")).messages.create(ask));
    expect(error.status).toBe(403);
    expect(error.apiMessage).toContain("Permission 'aiplatform.endpoints.predict' denied");
    expect(vertex.calls).toEqual([]);
  });
});
