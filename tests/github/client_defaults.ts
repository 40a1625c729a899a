/** The GitHub client's retry settings as the service configures them by default, for tests' gateways. */
import { loadConfig } from "../../src/config.ts";

const { retries, retryBaseMs } =
  loadConfig({ GITHUB_TOKEN: "ghp_defaults", ANTHROPIC_API_KEY: "sk-ant-defaults" })
    .github;

/** `GITHUB_RETRIES` and `GITHUB_RETRY_BASE_MS` at their defaults; spread first, then override. */
export const GITHUB_CLIENT_DEFAULTS = { retries, retryBaseMs };
