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
  await selfSigned(dir, "test engine CA", "ca");
  await signed(dir, "server", `/CN=${ip}`, `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  await signed(dir, "client", "/CN=backend-agent", "extendedKeyUsage=clientAuth\n");
  await Deno.copyFile(`${dir}/ca.pem`, `${clientDir}/ca.pem`);
  await Deno.rename(`${dir}/client-cert.pem`, `${clientDir}/cert.pem`);
  await Deno.rename(`${dir}/client-key.pem`, `${clientDir}/key.pem`);
  return { serverDir: dir, clientDir };
}

/** A self-signed certificate `<name>.pem` and its key `<name>-key.pem` in `dir`, for `cn`. */
export async function selfSigned(dir: string, cn: string, name: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${cn}`,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.pem`,
  ]);
}

/** `<name>-cert.pem` and `<name>-key.pem` for `subject`, signed by the CA in `dir` with extensions `ext`. */
export async function signed(dir: string, name: string, subject: string, ext: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}.ext`, ext);
  await openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    subject,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.csr`,
  ]);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}-cert.pem`,
  ]);
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (code !== 0) {
    throw new SetupError(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}
