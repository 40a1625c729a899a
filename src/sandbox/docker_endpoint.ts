/**
 * A Docker engine's address as Docker writes it (`DOCKER_HOST`, each entry of `DOCKER_HOSTS`):
 * `unix:///path/to/docker.sock` or `tcp://host:port`, and the TLS material of a `tcp://` one.
 */
import { z } from "zod";
import { ConfigError } from "../errors.ts";

/** A client certificate, its key and the CA that signed the engine's certificate (PEM text). */
export const dockerTlsSchema = z.object({
  /** The folder the three files were read from (Docker's `ca.pem`, `cert.pem`, `key.pem`). */
  certDir: z.string(),
  ca: z.string(),
  cert: z.string(),
  key: z.string(),
});

/** {@link dockerTlsSchema}'s type. */
export type DockerTls = z.infer<typeof dockerTlsSchema>;

/** One engine: its URL as given (also its name in logs, events and `/readyz`) and how to reach it. */
export const dockerEndpointSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unix"), url: z.string(), socketPath: z.string() }),
  z.object({
    kind: z.literal("tcp"),
    url: z.string(),
    host: z.string(),
    port: z.number().int().positive(),
    /** Set when `DOCKER_TLS_VERIFY` is on: HTTPS, the engine's certificate checked against `ca`. */
    tls: dockerTlsSchema.optional(),
  }),
]);

/** {@link dockerEndpointSchema}'s type. */
export type DockerEndpoint = z.infer<typeof dockerEndpointSchema>;

/**
 * Reads `text` as `unix:///path` or `tcp://host:port` (no TLS yet).
 * @param setting the setting it came from, named in the error.
 * @throws ConfigError for any other form.
 */
export function parseDockerEndpoint(text: string, setting: string): DockerEndpoint {
  const url = text.trim();
  if (/^unix:\/\/\/\S+$/.test(url)) return { kind: "unix", url, socketPath: url.slice("unix://".length) };
  const tcp = /^tcp:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\/?$/.exec(url);
  const port = Number(tcp?.[2]);
  if (tcp && port > 0 && port < 65_536) {
    return { kind: "tcp", url: url.replace(/\/$/, ""), host: tcp[1]!.replace(/^\[|\]$/g, ""), port };
  }
  // A mistaken `tcp://user:token@host` must not print its credentials: the user info is cut (to the
  // last `@` before the path, as URL parsers read it).
  const shown = url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, "$1[redacted]@");
  throw new ConfigError(`${setting} must be unix:///path/to/docker.sock or tcp://host:port, got "${shown}"`);
}
