/**
 * TLS for the `tcp://` engines of `DOCKER_HOSTS`, after Docker's own convention: `DOCKER_TLS_VERIFY`
 * turns it on, and `DOCKER_CERT_PATH` is the folder of `ca.pem` (the CA that signed the engine's
 * certificate), `cert.pem` and `key.pem` (the client's certificate and key). One engine's own files
 * go in a sub-folder named after it, `host:port` (as in Docker's `certs.d`); an engine without one
 * uses the files at the top of `DOCKER_CERT_PATH`. `unix://` engines never use TLS.
 */
import { ConfigError } from "../errors.ts";
import type { DockerEndpoint } from "./docker_endpoint.ts";

/** Docker's file names in a certificate folder. */
export const TLS_FILES = ["ca.pem", "cert.pem", "key.pem"] as const;

/** What `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` say. */
export interface DockerTlsSettings {
  verify: boolean;
  certPath?: string;
}

/**
 * `endpoints` with the TLS material of each `tcp://` one read in, when `verify` is on.
 * @param readTextFile reads a file; throws `Deno.errors.NotFound` when it is missing.
 * @throws ConfigError naming the engine, the folders looked in and the files missing; when
 *   `DOCKER_TLS_VERIFY` is on without `DOCKER_CERT_PATH`, or `DOCKER_CERT_PATH` is set without it.
 */
export function withDockerTls(
  endpoints: DockerEndpoint[],
  settings: DockerTlsSettings,
  readTextFile: (path: string) => string,
): DockerEndpoint[] {
  const { verify, certPath } = settings;
  if (!verify && certPath) {
    throw new ConfigError(
      "DOCKER_CERT_PATH is set but DOCKER_TLS_VERIFY is not: set DOCKER_TLS_VERIFY=1 to reach the tcp:// " +
        "engines of DOCKER_HOSTS over TLS (the service never uses TLS without verifying the engine), or unset DOCKER_CERT_PATH",
    );
  }
  if (!verify) return endpoints;
  if (!certPath) {
    throw new ConfigError(
      "DOCKER_TLS_VERIFY is on but DOCKER_CERT_PATH is not set: set it to the folder holding ca.pem, cert.pem and key.pem",
    );
  }
  return endpoints.map((endpoint) => {
    if (endpoint.kind !== "tcp") return endpoint;
    const root = certPath.replace(/\/+$/, "");
    const own = `${root}/${endpoint.host}:${endpoint.port}`;
    const found = readFolder(own, readTextFile) ?? readFolder(root, readTextFile);
    if (found && found.missing.length === 0) {
      return { ...endpoint, tls: { certDir: found.dir, ...found.files } };
    }
    const where = found
      ? `${found.dir} lacks ${found.missing.join(", ")}`
      : `neither ${own} nor ${root} holds them`;
    throw new ConfigError(
      `DOCKER_HOSTS: ${endpoint.url} needs ${
        TLS_FILES.join(", ")
      } (DOCKER_TLS_VERIFY is on), but ${where}. ` +
        `Put this engine's files in ${own}/, or files shared by every engine in ${root}/`,
    );
  });
}

interface Folder {
  dir: string;
  files: { ca: string; cert: string; key: string };
  missing: string[];
}

/** The TLS files of `dir`; undefined when it holds none of them. */
function readFolder(dir: string, readTextFile: (path: string) => string): Folder | undefined {
  const texts = TLS_FILES.map((name) => {
    try {
      return readTextFile(`${dir}/${name}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || (error as { code?: string }).code === "ENOENT") {
        return undefined;
      }
      // Deno's own message asks for --allow-read: the fix is where the folder is, not the flags.
      const why = (error as Error).name === "NotCapable"
        ? "outside the paths the service may read (its --allow-read)"
        : (error as Error).message;
      throw new ConfigError(
        `DOCKER_CERT_PATH: cannot read ${dir}/${name} (${why}); put the folder where the service may ` +
          "read it (deno task start: under /run/secrets or the project's folder)",
        { cause: error },
      );
    }
  });
  const missing = TLS_FILES.filter((_, i) => texts[i] === undefined);
  if (missing.length === TLS_FILES.length) return undefined;
  const [ca = "", cert = "", key = ""] = texts;
  return { dir, files: { ca, cert, key }, missing };
}
