/**
 * The model provider in front of the Anthropic stand-in for an end-to-end run: Amazon Bedrock reached
 * with an IAM role (EKS web identity through STS), Vertex AI reached with GKE workload identity (the
 * metadata server), or an LLM gateway with a header of its own. Each sets what a deployment sets (the
 * service's settings, and the process environment the cloud credential chains read) and restores the
 * environment when closed.
 */
import type { AnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { createAwsIdentities } from "../stand_ins/aws_identities.ts";
import { startAwsStsStandIn } from "../stand_ins/aws_sts_server.ts";
import {
  type BedrockStandIn,
  type BedrockStandInOptions,
  startBedrockStandIn,
} from "../stand_ins/bedrock_server.ts";
import { createGoogleTokens, startGoogleAuthStandIn } from "../stand_ins/google_auth_server.ts";
import { type LlmGateway, startLlmGateway } from "../stand_ins/llm_gateway.ts";
import { createOidcIssuer } from "../stand_ins/oidc_issuer.ts";
import { startVertexStandIn, type VertexStandIn } from "../stand_ins/vertex_server.ts";

/** A provider stand-in and the settings that point the service at it. */
export interface ProviderFront<T> {
  /** The service's settings (`MODEL_PROVIDER`, `MODEL`, …). */
  env: Record<string, string | undefined>;
  /** The provider stand-in. */
  standIn: T;
  /** Every credential handed out so far, to prove none leaks. */
  secrets(): string[];
  close(): Promise<void>;
}

/** The AWS and Google variables a credential chain could pick up from the machine running the tests. */
const CLOUD_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ENDPOINT_URL_STS",
  "AWS_REGION",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "GCE_METADATA_HOST",
  "CLOUDSDK_CONFIG",
];

/**
 * Sets the process environment the cloud SDKs read (everything else of {@link CLOUD_ENV} unset,
 * profile files pointed at nothing); returns the function that restores it.
 */
export function setCloudEnv(vars: Record<string, string>, emptyDir: string): () => void {
  const saved = new Map(CLOUD_ENV.map((name) => [name, Deno.env.get(name)]));
  for (const name of CLOUD_ENV) Deno.env.delete(name);
  const isolated = {
    AWS_CONFIG_FILE: `${emptyDir}/aws-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${emptyDir}/aws-credentials`,
    AWS_EC2_METADATA_DISABLED: "true",
    CLOUDSDK_CONFIG: `${emptyDir}/gcloud`,
  };
  for (const [name, value] of Object.entries({ ...isolated, ...vars })) Deno.env.set(name, value);
  return () => {
    for (const [name, value] of saved) {
      value === undefined ? Deno.env.delete(name) : Deno.env.set(name, value);
    }
  };
}

const ROLE = "arn:aws:iam::123456789012:role/agent-runner";

/** Bedrock with an IAM role: a projected service-account token exchanged at STS for the role's credentials. */
export async function bedrockFront(
  upstream: AnthropicStandIn,
  options: Pick<BedrockStandInOptions, "clockSkewMs" | "retired"> = {},
): Promise<ProviderFront<BedrockStandIn>> {
  const dir = await Deno.makeTempDir({ prefix: "bedrock-front-" });
  const identities = createAwsIdentities();
  const issuer = await createOidcIssuer();
  const sts = startAwsStsStandIn({ identities, issuer, roles: [ROLE] });
  const bedrock = startBedrockStandIn({ upstream, identities, region: "us-east-1", ...options });
  const token = await issuer.mint("system:serviceaccount:agents:runner", "sts.amazonaws.com");
  await Deno.writeTextFile(`${dir}/token`, token);
  const restore = setCloudEnv({
    AWS_REGION: "us-east-1",
    AWS_ROLE_ARN: ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: `${dir}/token`,
    AWS_ENDPOINT_URL_STS: sts.url,
  }, dir);
  return {
    env: {
      MODEL_PROVIDER: "bedrock",
      AWS_REGION: "us-east-1",
      ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
      MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_BASE_URL: undefined,
    },
    standIn: bedrock,
    secrets: () => [token, ...identities.secrets()],
    async close() {
      restore();
      await bedrock.close();
      await sts.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Vertex AI with GKE workload identity: the metadata server gives the pod's service account a token. */
export async function vertexFront(upstream: AnthropicStandIn): Promise<ProviderFront<VertexStandIn>> {
  const dir = await Deno.makeTempDir({ prefix: "vertex-front-" });
  const tokens = createGoogleTokens();
  const auth = startGoogleAuthStandIn({
    tokens,
    projectId: "acme-agents",
    serviceAccount: "agent-runner@acme-agents.iam.gserviceaccount.com",
  });
  const vertex = startVertexStandIn({ upstream, tokens, projectId: "acme-agents", region: "us-east5" });
  const restore = setCloudEnv({ GCE_METADATA_HOST: auth.metadataHost }, dir);
  return {
    env: {
      MODEL_PROVIDER: "vertex",
      CLOUD_ML_REGION: "us-east5",
      ANTHROPIC_VERTEX_PROJECT_ID: "acme-agents",
      ANTHROPIC_VERTEX_BASE_URL: vertex.url,
      MODEL: "claude-sonnet-4-5@20250929",
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_BASE_URL: undefined,
    },
    standIn: vertex,
    secrets: () => tokens.all(),
    async close() {
      restore();
      await vertex.close();
      await auth.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The Anthropic API through a gateway that wants its virtual key and its own header. */
export function gatewayFront(
  upstream: AnthropicStandIn,
  options: { headerValue?: string } = {},
): Promise<ProviderFront<LlmGateway>> {
  const header = { name: "x-gateway-key", value: "gw-3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f21" };
  const virtualKey = "sk-gw-virtual-6d8e0f2a4c6e8a0c2e4f6a8c";
  const gateway = startLlmGateway({ upstream, virtualKey, header });
  const sent = options.headerValue ?? header.value;
  return Promise.resolve({
    env: {
      ANTHROPIC_BASE_URL: gateway.url,
      ANTHROPIC_API_KEY: virtualKey,
      ANTHROPIC_CUSTOM_HEADERS: `X-Gateway-Key: ${sent}\nX-Team: payments`,
      MODEL: "claude-sonnet-4-5-20250929",
    },
    standIn: gateway,
    secrets: () => [header.value, sent, virtualKey, upstream.apiKey],
    close: () => gateway.close(),
  });
}
