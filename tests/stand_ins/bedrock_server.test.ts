import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { BedrockRuntimeClient, CountTokensCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { type AnthropicStandIn, startAnthropicStandIn } from "./anthropic_server.ts";
import { ADD_LOGIN_SCRIPT, apiFailure } from "./provider_test_kit.ts";
import { type AwsIdentities, createAwsIdentities } from "./aws_identities.ts";
import { type BedrockStandIn, startBedrockStandIn } from "./bedrock_server.ts";

const PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
let upstream: AnthropicStandIn | undefined;
let bedrock: BedrockStandIn | undefined;

afterEach(async () => {
  await bedrock?.close();
  await upstream?.close();
});

async function start(options: { clockSkewMs?: number; retired?: string[] } = {}) {
  upstream = await startAnthropicStandIn({ scripts: [ADD_LOGIN_SCRIPT] });
  const identities: AwsIdentities = createAwsIdentities();
  bedrock = startBedrockStandIn({ upstream, identities, region: "us-east-1", ...options });
  const key = identities.addUserKey("agent-runner");
  const client = (credentials = { awsAccessKey: key.accessKeyId, awsSecretKey: key.secretAccessKey }) =>
    new AnthropicBedrock({
      ...credentials,
      awsRegion: "us-east-1",
      baseURL: bedrock!.url,
      maxRetries: 0,
      apiKey: null,
    });
  return { client, key, bedrock };
}

const ask = {
  model: PROFILE,
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: "Please: Add login" }],
};

describe("Bedrock runtime stand-in", () => {
  it("InvokeModel: a SigV4-signed call on a cross-region inference profile gets the scripted turn", async () => {
    const { client, bedrock, key } = await start();
    const message = await client().messages.create(ask);
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "bash", input: { command: "ls" } });
    expect(message.stop_reason).toBe("tool_use");
    expect(bedrock.calls).toEqual([expect.objectContaining({ operation: "InvokeModel", modelId: PROFILE })]);
    expect(bedrock.calls[0]!.arn).toContain("user/agent-runner");
    expect(bedrock.calls[0]!.body.anthropic_version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(bedrock.calls[0]!.body).not.toHaveProperty("model");
    expect(JSON.stringify(bedrock.calls)).not.toContain(key.secretAccessKey);
  });

  it("InvokeModelWithResponseStream: the event-stream frames decode into the same message", async () => {
    const { client, bedrock } = await start();
    const message = await client().messages.stream(ask).finalMessage();
    expect(message.content[0]).toEqual({ type: "text", text: "Looking.", ...(message.content[0] as object) });
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "bash", input: { command: "ls" } });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(bedrock.calls[0]!.operation).toBe("InvokeModelWithResponseStream");
  });

  it("a wrong secret key gets 403 InvalidSignatureException with AWS's message", async () => {
    const { client, key, bedrock } = await start();
    const error = await apiFailure(
      client({ awsAccessKey: key.accessKeyId, awsSecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })
        .messages.create(ask),
    );
    expect(error.status).toBe(403);
    expect(error.error).toEqual({
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS " +
        "Secret Access Key and signing method. Consult the service documentation for details.",
    });
    expect(bedrock.refusals).toEqual(["InvalidSignatureException"]);
    expect(bedrock.calls).toEqual([]);
  });

  it("an unknown access key gets 403 UnrecognizedClientException", async () => {
    const { client, bedrock } = await start();
    const error = await apiFailure(
      client({
        awsAccessKey: "AKIAIOSFODNN7EXAMPLE",
        awsSecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      })
        .messages.create(ask),
    );
    expect(error.status).toBe(403);
    expect(error.error).toEqual({ message: "The security token included in the request is invalid." });
    expect(bedrock.refusals).toEqual(["UnrecognizedClientException"]);
  });

  it("a signature from a clock more than 5 minutes off gets 403 'Signature expired'", async () => {
    const { client, bedrock } = await start({ clockSkewMs: 20 * 60_000 });
    const error = await apiFailure(client().messages.create(ask));
    expect(error.status).toBe(403);
    expect(String((error.error as { message: string }).message)).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
    expect(bedrock.refusals).toEqual(["InvalidSignatureException"]);
  });

  it("an unsigned request gets 403 MissingAuthenticationTokenException; a model id that is not Anthropic's, 400", async () => {
    const { client, bedrock } = await start();
    const unsigned = await fetch(`${bedrock.url}/model/${encodeURIComponent(PROFILE)}/invoke`, {
      method: "POST",
      body: JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 1, messages: [] }),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: "Missing Authentication Token" });
    const error = await apiFailure(
      client().messages.create({ ...ask, model: "meta.llama3-70b-instruct-v1:0" }),
    );
    expect(error.status).toBe(400);
    expect(error.error).toEqual({ message: "The provided model identifier is invalid." });
  });

  it("CountTokens: the AWS SDK's signed request on a foundation model is counted; a profile, a wrong key and a retired model are refused", async () => {
    const { key } = await start({ retired: ["anthropic.claude-3-5-sonnet-20241022-v2:0"] });
    const count = (modelId: string, secretAccessKey = key.secretAccessKey) =>
      new BedrockRuntimeClient({
        region: "us-east-1",
        endpoint: bedrock!.url,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey },
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler(),
      }).send(
        new CountTokensCommand({
          modelId,
          input: {
            invokeModel: {
              body: new TextEncoder().encode(JSON.stringify({
                anthropic_version: "bedrock-2023-05-31",
                max_tokens: 10,
                messages: ask.messages,
              })),
            },
          },
        }),
      ).then((answer) => answer.inputTokens, (error: { name: string; message: string }) =>
        `${error.name}: ${error.message}`);

    expect(await count("anthropic.claude-sonnet-4-5-20250929-v1:0")).toBeGreaterThan(0);
    expect(bedrock!.calls).toEqual([
      expect.objectContaining({
        operation: "CountTokens",
        modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      }),
    ]);
    expect(bedrock!.calls[0]!.arn).toContain("user/agent-runner");
    expect(await count(PROFILE)).toBe(
      "ValidationException: The provided model doesn't support counting tokens.",
    );
    expect(
      await count("anthropic.claude-sonnet-4-5-20250929-v1:0", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    )
      .toMatch(/^InvalidSignatureException: The request signature we calculated does not match/);
    expect(await count("anthropic.claude-3-5-sonnet-20241022-v2:0")).toBe(
      "ResourceNotFoundException: This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
    );
    expect(bedrock!.calls).toHaveLength(1);
  });
});
