/**
 * Bedrock's CountTokens under the service's own permissions: the AWS SDK client reads the OS release
 * for its user agent, which `deno task start` (and the image's command) must allow, or every count
 * would fail and the model check and the budget would fall back to guessing.
 */
import { afterEach, expect, test } from "vitest";
import { PROJECT_ROOT } from "../e2e/harness.ts";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { createAwsIdentities } from "../stand_ins/aws_identities.ts";
import { type BedrockStandIn, startBedrockStandIn } from "../stand_ins/bedrock_server.ts";
import { startTaskPermissions } from "../service_process.ts";

let upstream: AnthropicStandIn | undefined;
let bedrock: BedrockStandIn | undefined;
afterEach(async () => {
  await bedrock?.close();
  await upstream?.close();
});

test("a Bedrock client run with `deno task start`'s permissions counts tokens through CountTokens", async () => {
  upstream = await startAnthropicStandIn({ scripts: [] });
  const identities = createAwsIdentities();
  bedrock = startBedrockStandIn({ upstream, identities, region: "us-east-1" });
  const key = identities.addUserKey("agent-runner");
  const flags = await startTaskPermissions();
  expect(flags).not.toContain("-A");
  const dir = await Deno.makeTempDir({ prefix: "bedrock-permissions-" });
  try {
    const { stdout, stderr } = await new Deno.Command("deno", {
      args: ["run", ...flags, "tests/agent/bedrock_count_probe.ts"],
      cwd: PROJECT_ROOT,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: dir,
        ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        AWS_ACCESS_KEY_ID: key.accessKeyId,
        AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: `${dir}/aws-config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/aws-credentials`,
        ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
        MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
    }).output();
    const printed = new TextDecoder().decode(stdout).trim();
    expect(printed, new TextDecoder().decode(stderr)).toMatch(/^\{"inputTokens":\d+\}$/);
    expect(bedrock.calls.map((c) => [c.operation, c.modelId])).toEqual([
      ["CountTokens", "anthropic.claude-sonnet-4-5-20250929-v1:0"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
