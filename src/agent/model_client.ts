/**
 * The Messages API client the agent loop talks to: the real `@anthropic-ai/sdk`
 * client, with its own retries for 429/529/5xx. Built once by the composition
 * root; the key stays in the client and never reaches a prompt or a log.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessagesApi } from "./model_call.ts";

/** Options for {@link createMessagesApi}. */
export interface ModelClientOptions {
  apiKey: string;
  /** `ANTHROPIC_BASE_URL`; the SDK's default when undefined. */
  baseUrl?: string;
  /** Retries of a call that failed with 429, 529, 5xx or a network error (`ANTHROPIC_MAX_RETRIES`). */
  maxRetries: number;
}

/**
 * The `messages` API of a new client. The key is passed explicitly, so the
 * SDK never falls back to reading the environment.
 * Needs `--allow-net` to the API host.
 */
export function createMessagesApi(options: ModelClientOptions): MessagesApi {
  return new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    maxRetries: options.maxRetries,
  }).messages;
}
