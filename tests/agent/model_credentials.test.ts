/**
 * Each way the model's credentials can fail, through the real SDKs and the providers' stand-ins: the
 * service refuses to start, or the model call ends, with a message that names the fix, and no secret
 * in that message, in what the SDKs print, or in the calls' error bodies as the service reports them.
 */
import { afterEach, describe, expect, test } from "vitest";
import { captureConsole } from "../console_capture.ts";
import { callModel, type MessagesApi } from "../../src/agent/model_call.ts";
import { createMessagesApi, type ModelClientOptions } from "../../src/agent/model_client.ts";
import { ConfigError } from "../../src/errors.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { type AwsIdentities, createAwsIdentities } from "../stand_ins/aws_identities.ts";
import { startAwsStsStandIn } from "../stand_ins/aws_sts_server.ts";
import { startBedrockStandIn } from "../stand_ins/bedrock_server.ts";
import { createGoogleTokens, startGoogleAuthStandIn } from "../stand_ins/google_auth_server.ts";
import { startLlmGateway } from "../stand_ins/llm_gateway.ts";
import { createOidcIssuer, type OidcIssuer } from "../stand_ins/oidc_issuer.ts";
import { startVertexStandIn } from "../stand_ins/vertex_server.ts";
import { setCloudEnv } from "../e2e/provider_fronts.ts";

const SCRIPT = { match: "Add login", turns: [{ content: [{ type: "text" as const, text: "Done." }] }] };
const cleanups: Array<() => unknown> = [];
let printed: () => string = () => "";

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(vars: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix: "model-credentials-" });
  const restore = setCloudEnv(vars, dir);
  const console_ = captureConsole();
  printed = console_.text;
  const upstream: AnthropicStandIn = await startAnthropicStandIn({ scripts: [SCRIPT] });
  cleanups.push(
    () => Deno.remove(dir, { recursive: true }),
    restore,
    () => console_.restore(),
  );
  cleanups.push(() => upstream.close());
  return { dir, upstream };
}

function later<T extends { close(): Promise<void> }>(server: T): T {
  cleanups.push(() => server.close());
  return server;
}

const COMMON = { maxRetries: 0, customHeaders: {} };

/** One model call as the loop makes it; the stop's reason, or "" when it succeeded. */
async function callReason(options: ModelClientOptions, model: string): Promise<string> {
  return callWith(await createMessagesApi(options), model);
}

async function callWith(api: MessagesApi, model: string): Promise<string> {
  return stopReason(
    await callModel(api, {
      model,
      max_tokens: 256,
      messages: [{ role: "user", content: "Please: Add login" }],
    }, {
      model,
      timeoutMs: 60_000,
      cancel: undefined,
      now: Date.now,
    }),
  );
}

/** `status: reason` of a call that ended the run, else "". */
function stopReason(result: Awaited<ReturnType<typeof callModel>>): string {
  return "kind" in result && result.kind === "stop" ? `${result.stop.status}: ${result.stop.reason}` : "";
}

async function startRefusal(options: ModelClientOptions): Promise<string> {
  const error = await createMessagesApi(options).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return String((error as Error).message);
}

function expectNoSecret(texts: string[], secrets: string[]) {
  const seen = [...texts, printed()].join("\n");
  for (const secret of secrets) expect(seen).not.toContain(secret);
}

const PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ROLE = "arn:aws:iam::123456789012:role/agent-runner";

describe("Amazon Bedrock credentials", () => {
  async function bedrock(vars: Record<string, string>, options: { clockSkewMs?: number } = {}) {
    const { upstream, dir } = await setup({ AWS_REGION: "us-east-1", ...vars });
    const identities: AwsIdentities = createAwsIdentities();
    const standIn = later(startBedrockStandIn({ upstream, identities, region: "us-east-1", ...options }));
    const client: ModelClientOptions = {
      provider: "bedrock",
      region: "us-east-1",
      baseUrl: standIn.url,
      ...COMMON,
    };
    return { identities, standIn, client, dir };
  }

  test("the default chain's sources: environment keys, then a shared profile (AWS_PROFILE) sign the call", async () => {
    const { identities, standIn, client, dir } = await bedrock({});
    const fromEnv = identities.addUserKey("from-env");
    Deno.env.set("AWS_ACCESS_KEY_ID", fromEnv.accessKeyId);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", fromEnv.secretAccessKey);
    expect(await callReason(client, PROFILE)).toBe("");
    Deno.env.delete("AWS_ACCESS_KEY_ID");
    Deno.env.delete("AWS_SECRET_ACCESS_KEY");
    const fromProfile = identities.addUserKey("from-profile");
    await Deno.writeTextFile(
      `${dir}/aws-credentials`,
      `[agents]\naws_access_key_id = ${fromProfile.accessKeyId}\naws_secret_access_key = ${fromProfile.secretAccessKey}\n`,
    );
    Deno.env.set("AWS_PROFILE", "agents");
    expect(await callReason(client, PROFILE)).toBe("");
    expect(standIn.calls.map((call) => call.arn.split("/").at(-1))).toEqual(["from-env", "from-profile"]);
  });

  test("none found: the service does not start, and the message lists where AWS credentials come from", async () => {
    const { client } = await bedrock({});
    const message = await startRefusal(client);
    expect(message).toMatch(
      /^No AWS credentials: Amazon Bedrock signs with AWS credentials from the default chain/,
    );
    for (
      const fix of [
        "IAM role",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
      ]
    ) {
      expect(message).toContain(fix);
    }
  });

  test("a web identity token STS refuses: the service does not start, naming the role settings; the token is not shown", async () => {
    const { dir, identities } = await bedrock({});
    const issuer: OidcIssuer = await createOidcIssuer();
    const sts = later(startAwsStsStandIn({ identities, issuer, roles: [ROLE] }));
    const foreign = await (await createOidcIssuer()).mint(
      "system:serviceaccount:agents:runner",
      "sts.amazonaws.com",
    );
    await Deno.writeTextFile(`${dir}/token`, foreign);
    Deno.env.set("AWS_ROLE_ARN", ROLE);
    Deno.env.set("AWS_WEB_IDENTITY_TOKEN_FILE", `${dir}/token`);
    Deno.env.set("AWS_ENDPOINT_URL_STS", sts.url);
    const message = await startRefusal({ provider: "bedrock", region: "us-east-1", ...COMMON });
    expect(message).toContain("No AWS credentials");
    expect(message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    expectNoSecret([message], [foreign]);
  });

  test("a wrong secret key: the call ends with AWS's 403 message and the fix; no secret shown", async () => {
    const { identities, client } = await bedrock({});
    const key = identities.addUserKey("agent-runner");
    const wrong = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    Deno.env.set("AWS_ACCESS_KEY_ID", key.accessKeyId);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", wrong);
    const reason = await callReason(client, PROFILE);
    expect(reason).toContain("model_error: Model call failed: HTTP 403");
    expect(reason).toContain("The request signature we calculated does not match the signature you provided");
    expect(reason).toContain("Fix: the AWS credentials were refused");
    expectNoSecret([reason], [wrong, key.secretAccessKey]);
  });

  test("an access key AWS does not know: the call ends with 'security token … invalid' and the fix", async () => {
    const { client } = await bedrock({
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "s3cr3t-not-known-to-aws-0123456789abcdef",
    });
    const reason = await callReason(client, PROFILE);
    expect(reason).toContain("The security token included in the request is invalid.");
    expect(reason).toContain("AWS_PROFILE");
    expectNoSecret([reason], ["s3cr3t-not-known-to-aws-0123456789abcdef"]);
  });

  test("a host clock 20 minutes off: the call ends with 'Signature expired' and says to synchronise the clock", async () => {
    const { identities, client } = await bedrock({}, { clockSkewMs: 20 * 60_000 });
    const key = identities.addUserKey("agent-runner");
    Deno.env.set("AWS_ACCESS_KEY_ID", key.accessKeyId);
    Deno.env.set("AWS_SECRET_ACCESS_KEY", key.secretAccessKey);
    const reason = await callReason(client, PROFILE);
    expect(reason).toMatch(/Signature expired: \d{8}T\d{6}Z is now earlier than/);
    expect(reason).toContain("Fix: the host's clock is off");
    expect(reason).toContain("(NTP)");
    expectNoSecret([reason], [key.secretAccessKey]);
  });
});

describe("Vertex AI credentials", () => {
  const AUDIENCE =
    "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/agents/providers/eks";

  async function vertex() {
    const { upstream, dir } = await setup();
    const tokens = createGoogleTokens();
    const issuer = await createOidcIssuer();
    const auth = later(startGoogleAuthStandIn({
      tokens,
      projectId: "acme-agents",
      serviceAccount: "agent-runner@acme-agents.iam.gserviceaccount.com",
      federation: { issuer, audience: AUDIENCE },
    }));
    const standIn = later(
      startVertexStandIn({ upstream, tokens, projectId: "acme-agents", region: "us-east5" }),
    );
    const federationFile = async (subjectToken: string) => {
      await Deno.writeTextFile(`${dir}/subject-token`, subjectToken);
      await Deno.writeTextFile(
        `${dir}/federation.json`,
        JSON.stringify({
          type: "external_account",
          audience: AUDIENCE,
          subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
          token_url: auth.tokenUrl,
          credential_source: { file: `${dir}/subject-token` },
        }),
      );
      return `${dir}/federation.json`;
    };
    const client = (credentialsFile?: string): ModelClientOptions => ({
      provider: "vertex",
      region: "us-east5",
      projectId: "acme-agents",
      baseUrl: standIn.url,
      ...(credentialsFile ? { credentialsFile } : {}),
      ...COMMON,
    });
    return { tokens, issuer, auth, client, federationFile, dir };
  }

  test("no Application Default Credentials: the service does not start, naming GOOGLE_APPLICATION_CREDENTIALS and workload identity", async () => {
    const { client } = await vertex();
    Deno.env.set("GCE_METADATA_HOST", "127.0.0.1:9"); // nothing listens: not on Google Cloud
    const message = await startRefusal(client());
    expect(message).toMatch(
      /^Google credentials refused: Vertex AI authenticates with Application Default Credentials/,
    );
    expect(message).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    expect(message).toContain("workload identity");
  });

  test("a credentials file that is not there: the service does not start, naming the setting", async () => {
    const { client, dir } = await vertex();
    const message = await startRefusal(client(`${dir}/missing.json`));
    expect(message).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    expect(message).toContain("missing.json");
  });

  test("a credentials file that is not JSON (another secret mounted in its place): the service does not start, and none of the file shows", async () => {
    const { client, dir } = await vertex();
    for (const secret of ["gw-key-0123456789", "sk-gw-virtual-0123456789abcdef0123456789abcdef"]) {
      await Deno.writeTextFile(`${dir}/gcp.json`, `${secret}\n`);
      const message = await startRefusal(client(`${dir}/gcp.json`));
      expect(message).toContain("GOOGLE_APPLICATION_CREDENTIALS");
      expect(message).toContain("(Invalid JSON key file: Unexpected token: the file is not JSON)");
      expectNoSecret([message], [secret, secret.slice(0, 10)]);
    }
  });

  test("a subject token Google STS refuses: the service does not start; the token is not shown", async () => {
    const { client, federationFile } = await vertex();
    const foreign = await (await createOidcIssuer()).mint("system:serviceaccount:agents:runner", AUDIENCE);
    const message = await startRefusal(client(await federationFile(foreign)));
    expect(message).toContain("invalid_grant");
    expect(message).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    expectNoSecret([message], [foreign]);
  });

  test("a token that stopped working: the call ends with Google's 401 and the fix; no token shown", async () => {
    const { client, federationFile, issuer, tokens } = await vertex();
    const subject = await issuer.mint("system:serviceaccount:agents:runner", AUDIENCE);
    const options = client(await federationFile(subject));
    const api = await createMessagesApi(options);
    tokens.expireAll();
    const reason = await callWith(api, "claude-sonnet-4-5@20250929");
    expect(reason).toContain("Model call failed: HTTP 401");
    expect(reason).toContain("Request had invalid authentication credentials");
    expect(reason).toContain("Fix: the Google credentials were refused");
    expectNoSecret([reason], [subject, ...tokens.all()]);
  });
});

describe("Anthropic API and gateway credentials", () => {
  test("a gateway refusing its header: the fix names ANTHROPIC_CUSTOM_HEADERS; the value is redacted, even with ANTHROPIC_LOG=debug", async () => {
    const { upstream } = await setup();
    const header = { name: "x-gateway-key", value: "gw-right-0123456789abcdef" };
    const gateway = later(startLlmGateway({ upstream, virtualKey: "sk-gw-virtual-1", header }));
    const wrong = "gw-stale-fedcba9876543210";
    Deno.env.set("ANTHROPIC_LOG", "debug"); // the SDK's debug lines print request headers
    cleanups.push(() => Deno.env.delete("ANTHROPIC_LOG"));
    const reason = await callReason({
      provider: "anthropic",
      apiKey: "sk-gw-virtual-1",
      baseUrl: gateway.url,
      ...COMMON,
      customHeaders: { "x-gateway-key": wrong },
    }, "claude-sonnet-4-5-20250929");
    expect(reason).toContain("Model call failed: HTTP 401 (authentication_error)");
    expect(reason).toContain('x-gateway-key "[redacted]"');
    expect(reason).toContain("ANTHROPIC_CUSTOM_HEADERS");
    expectNoSecret([reason], [wrong, "sk-gw-virtual-1"]);
  });

  test("a wrong API key: the call ends with 401 and names ANTHROPIC_API_KEY", async () => {
    const { upstream } = await setup();
    const reason = await callReason(
      { provider: "anthropic", apiKey: "sk-ant-wrong-0123456789", baseUrl: upstream.url, ...COMMON },
      "claude-sonnet-4-5-20250929",
    );
    expect(reason).toContain("HTTP 401");
    expect(reason).toContain("Fix: check ANTHROPIC_API_KEY");
    expectNoSecret([reason], ["sk-ant-wrong-0123456789"]);
  });
});
