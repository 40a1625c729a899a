/**
 * The configuration as it may be printed: every secret replaced by `[redacted]`, credentials taken out
 * of URLs (GitHub's, Docker's, the JWKS', the package indexes', the database's).
 */
import type { Config } from "./config.ts";
import { redactedDockerHosts } from "./config_docker_hosts.ts";
import { redactedModelConfig } from "./config_model.ts";
import type { PackageIndex } from "./environments/package_index.ts";

/** A copy of `config` safe to print: secrets replaced by `[redacted]`. */
export function redactedConfig(config: Config): Config {
  return {
    ...config,
    github: {
      ...config.github,
      apiUrl: withoutUserinfo(config.github.apiUrl),
      auth: config.github.auth.kind === "token"
        ? { kind: "token", token: "[redacted]" }
        : { ...config.github.auth, privateKey: "[redacted]" },
    },
    webhooks: { ...config.webhooks, ...(config.webhooks.secret ? { secret: "[redacted]" } : {}) },
    model: redactedModelConfig(config.model, withoutUserinfo),
    ...(config.dockerHost ? { dockerHost: withoutUserinfo(config.dockerHost) } : {}),
    ...(config.databaseUrl ? { databaseUrl: withoutUserinfo(config.databaseUrl).replace(/\?.*$/, "") } : {}),
    ...(config.dockerHosts ? { dockerHosts: redactedDockerHosts(config.dockerHosts) } : {}),
    environments: {
      ...config.environments,
      index: redactedIndex(config.environments.index),
      extraIndexes: config.environments.extraIndexes.map(redactedIndex),
    },
    auth: {
      ...config.auth,
      ...(config.auth.jwt
        ? { jwt: { ...config.auth.jwt, jwksUrl: withoutUserinfo(config.auth.jwt.jwksUrl) } }
        : {}),
      apiKeys: config.auth.apiKeys.map((k) => ({ ...k, sha256: "[redacted]" })),
    },
  };
}

/**
 * `https://user:secret@host/x` → `https://[redacted]@host/x`; other strings unchanged. The user info
 * runs to the last `@` before the path, query or fragment, as WHATWG URLs (and node-postgres) read
 * it, so a password holding an unencoded `@` is removed whole.
 */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, "$1[redacted]@");
}

/** A package index without its credentials: the URL as shown anywhere. */
function redactedIndex(index: PackageIndex): PackageIndex {
  return { ...index, url: index.publicUrl, secrets: index.secrets.map(() => "[redacted]") };
}
