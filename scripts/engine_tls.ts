/**
 * TLS material for a test engine, made with `openssl`: a CA, the engine's server certificate for
 * one IP address, and a client certificate, in Docker's file names (`ca.pem`, `cert.pem`,
 * `key.pem` on each side). Needs `--allow-run` (openssl) and write access to `dir`.
 */
import { SetupError } from "./setup_error.ts";

/** Where the files went. */
export interface EngineTls {
  /** The engine's side: `ca.pem`, `server-cert.pem`, `server-key.pem` (for `--tlscacert` etc.). */
  serverDir: string;
  /** The client's side: `ca.pem`, `cert.pem`, `key.pem`. */
  clientDir: string;
}

/** Writes a CA, a server certificate for `ip` and a client certificate under `dir`. */
export async function makeEngineTls(dir: string, ip: string, clientDir: string): Promise<EngineTls> {
  await Deno.mkdir(clientDir, { recursive: true });
  const ssl = (...args: string[]) => openssl(dir, args);
  await ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=test engine CA",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
  );
  await ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${ip}`,
    "-keyout",
    "server-key.pem",
    "-out",
    "server.csr",
  );
  await Deno.writeTextFile(`${dir}/server.ext`, `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  await ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server-cert.pem",
  );
  await ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=backend-agent",
    "-keyout",
    "key.pem",
    "-out",
    "client.csr",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  await ssl(
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "client.ext",
    "-out",
    "cert.pem",
  );
  for (const name of ["ca.pem", "cert.pem", "key.pem"]) {
    await Deno.rename(`${dir}/${name}`, `${clientDir}/${name}`);
  }
  await Deno.copyFile(`${clientDir}/ca.pem`, `${dir}/ca.pem`);
  return { serverDir: dir, clientDir };
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (code !== 0) {
    throw new SetupError(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}
