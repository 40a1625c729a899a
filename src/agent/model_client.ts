/**
 * The Messages API client the agent loop talks to, on the configured provider: the Anthropic API
 * (or a gateway in front of it) through `@anthropic-ai/sdk`, Amazon Bedrock through
 * `@anthropic-ai/bedrock-sdk`, Google Vertex AI through `@anthropic-ai/vertex-sdk`. All three speak
 * the same Messages API to the loop, with the SDK's own retries for 429/529/5xx. Built once by the
 * composition root; credentials stay in the client and never reach a prompt or a log.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { ConfigError } from "../errors.ts";
import type { MessagesApi } from "./model_call.ts";
import { awsCredentials, googleAuthClient } from "./cloud_credentials.ts";
import { withCredentialFixes } from "./credential_fixes.ts";
import { bedrockCountTokens } from "./bedrock_count_tokens.ts";

/** Where the model is reached and how the host authenticates there. */
export type ModelConnection =
  | {
    provider: "anthropic";
    /** `ANTHROPIC_API_KEY`. */
    apiKey: string;
    /** `ANTHROPIC_BASE_URL` (a gateway); the SDK's default when undefined. */
    baseUrl?: string;
  }
  | {
    provider: "bedrock";
    /** `AWS_REGION`, e.g. `us-east-1`. Credentials come from the AWS default credential chain. */
    region: string;
    /** `ANTHROPIC_BEDROCK_BASE_URL` (a VPC endpoint); `https://bedrock-runtime.{region}.amazonaws.com` when undefined. */
    baseUrl?: string;
  }
  | {
    provider: "vertex";
    /** `CLOUD_ML_REGION`, e.g. `us-east5` or `global`. */
    region: string;
    /** `ANTHROPIC_VERTEX_PROJECT_ID`. */
    projectId: string;
    /** `ANTHROPIC_VERTEX_BASE_URL` (a Private Service Connect endpoint); the SDK's regional URL when undefined. */
    baseUrl?: string;
    /**
     * `GOOGLE_APPLICATION_CREDENTIALS`: a service-account key file (or an external-account file for
     * workload identity federation); undefined: the rest of Application Default Credentials.
     */
    credentialsFile?: string;
  };

/** Options for {@link createMessagesApi}. */
export type ModelClientOptions = ModelConnection & {
  /** Retries of a call that failed with 429, 529, 5xx or a network error (`ANTHROPIC_MAX_RETRIES`). */
  maxRetries: number;
  /** `ANTHROPIC_CUSTOM_HEADERS`, sent with every request; the values are secrets. */
  customHeaders: Readonly<Record<string, string>>;
};

/**
 * The `messages` API of a new client for `options.provider`. Every option is passed explicitly, so
 * no SDK falls back to reading the environment on its own (the AWS and Google credential chains
 * excepted: reading it is what they are for). On Bedrock and Vertex the credentials are resolved
 * once now, so a service without usable credentials does not start.
 *
 * Failed calls keep their SDK error class; an authentication failure's message also names the fix,
 * with every secret the client holds redacted from it (see `withCredentialFixes`).
 *
 * @throws {ConfigError} naming the fix when Bedrock or Vertex credentials cannot be found or are refused.
 * Needs `--allow-net` to the provider (and its token service), `--allow-env`, `--allow-read` of the
 * AWS profile files or the Google credentials file.
 */
export async function createMessagesApi(options: ModelClientOptions): Promise<MessagesApi> {
  const common = {
    maxRetries: options.maxRetries,
    defaultHeaders: { ...options.customHeaders },
    // Pinned, not read from ANTHROPIC_LOG: the SDKs' debug lines print request headers, and they
    // redact only the headers they know, not a gateway's own (ANTHROPIC_CUSTOM_HEADERS).
    logLevel: "warn" as const,
  };
  const secrets = Object.values(options.customHeaders);
  switch (options.provider) {
    case "anthropic": {
      const client = new Anthropic({
        ...common,
        apiKey: options.apiKey,
        ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      });
      return withCredentialFixes(client.messages, "anthropic", () => [...secrets, options.apiKey]);
    }
    case "bedrock": {
      const credentials = await awsCredentials();
      const { AnthropicBedrock } = await import("@anthropic-ai/bedrock-sdk");
      const endpoint = options.baseUrl ?? `https://bedrock-runtime.${options.region}.amazonaws.com`;
      const client = new AnthropicBedrock({
        ...common,
        awsRegion: options.region,
        baseURL: endpoint,
        // null: sign with AWS credentials; never a bearer key read from the environment.
        apiKey: null,
        providerChainResolver: () => Promise.resolve(credentials.provider),
      });
      // The Bedrock SDK has no count-tokens; Bedrock Runtime's CountTokens signs with the same chain.
      const messages: MessagesApi = Object.create(client.messages);
      messages.countTokens = bedrockCountTokens({
        region: options.region,
        endpoint,
        credentials: credentials.provider,
        maxRetries: options.maxRetries,
        headers: options.customHeaders,
      });
      return withCredentialFixes(messages, "bedrock", () => [...secrets, ...credentials.secrets()]);
    }
    case "vertex": {
      const auth = await googleAuthClient(options.credentialsFile);
      const { AnthropicVertex } = await import("@anthropic-ai/vertex-sdk");
      const client = new AnthropicVertex({
        ...common,
        region: options.region,
        projectId: options.projectId,
        authClient: auth.provider,
        ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      });
      return withCredentialFixes(client.messages, "vertex", () => [...secrets, ...auth.secrets()]);
    }
    default:
      throw new ConfigError(`Unknown model provider ${JSON.stringify(options satisfies never)}`);
  }
}
