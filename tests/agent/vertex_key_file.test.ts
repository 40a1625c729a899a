/**
 * Vertex AI with a service-account key file (`GOOGLE_APPLICATION_CREDENTIALS`), end to end through the
 * real `google-auth-library`: it signs a JWT with the file's private key and trades it at
 * `https://oauth2.googleapis.com/token` (the only URL it uses, whatever the file's `token_uri`), reached
 * through `HTTPS_PROXY` and a CA given in `DENO_CERT`, which the call's process gets at start-up as a
 * deployment would set them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { createGoogleTokens } from "../stand_ins/google_auth_server.ts";
import {
  type GoogleOAuthStandIn,
  makeServiceAccountKey,
  startGoogleOAuthStandIn,
} from "../stand_ins/google_oauth_server.ts";
import { startVertexStandIn, type VertexStandIn } from "../stand_ins/vertex_server.ts";
import { processEnv } from "../service_process.ts";

const PROJECT = "acme-agents";
const ACCOUNT = "agent-runner@acme-agents.iam.gserviceaccount.com";
const MODEL = "claude-sonnet-4-5@20250929";
const CALL = fileURLToPath(new URL("./vertex_call_process.ts", import.meta.url));
const SCRIPT = { match: "Add login", turns: [{ content: [{ type: "text" as const, text: "Done." }] }] };

let dir: string;
let upstream: AnthropicStandIn;
let oauth: GoogleOAuthStandIn;
let vertex: VertexStandIn;
const tokens = createGoogleTokens();

beforeAll(async () => {
  dir = await Deno.makeTempDir({ prefix: "vertex-key-file-" });
  upstream = await startAnthropicStandIn({ scripts: [SCRIPT, SCRIPT] });
  oauth = await startGoogleOAuthStandIn(tokens);
  vertex = startVertexStandIn({ upstream, tokens, projectId: PROJECT, region: "us-east5" });
});

afterAll(async () => {
  await vertex?.close();
  await oauth?.close();
  await upstream?.close();
  if (dir) await Deno.remove(dir, { recursive: true });
});

/** Runs one Vertex call in a new process with `keyFile` as its credentials; its one JSON line. */
async function callWithKeyFile(name: string, keyFile: object): Promise<{ stop?: string; refused?: string }> {
  const path = `${dir}/${name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(keyFile));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    // The service's own permissions (deno.json's `start`), reading the key file's folder.
    args: [
      "run",
      "--quiet",
      "--allow-net",
      "--allow-env",
      "--allow-sys=homedir,osRelease",
      `--allow-read=.,${dir}`,
      CALL,
    ],
    clearEnv: true,
    env: processEnv({
      HTTPS_PROXY: oauth.proxyUrl,
      DENO_CERT: oauth.caFile,
      NO_PROXY: "127.0.0.1",
      GOOGLE_APPLICATION_CREDENTIALS: path,
      CLOUDSDK_CONFIG: `${dir}/gcloud`,
      GCE_METADATA_HOST: "127.0.0.1:9",
      CLOUD_ML_REGION: "us-east5",
      ANTHROPIC_VERTEX_PROJECT_ID: PROJECT,
      ANTHROPIC_VERTEX_BASE_URL: vertex.url,
      MODEL,
    }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
  expect(code, new TextDecoder().decode(stderr)).toBe(0);
  return JSON.parse(out);
}

describe("Vertex AI with a service-account key file", () => {
  test("the key's signed JWT gets a token at oauth2.googleapis.com, and Vertex accepts the call made with it", async () => {
    const { keyFile, publicKey } = makeServiceAccountKey(ACCOUNT, PROJECT);
    oauth.register(ACCOUNT, publicKey);

    expect(await callWithKeyFile("good", keyFile)).toEqual({ stop: "" });

    expect(oauth.proxy.tunnels).toEqual(["oauth2.googleapis.com:443"]);
    expect(oauth.grants).toEqual([ACCOUNT]);
    expect(vertex.calls.map((call) => [call.method, call.model, call.principal])).toEqual([
      ["rawPredict", MODEL, ACCOUNT],
    ]);
    expect(vertex.refusals).toEqual([]);
  });

  test("the proxy tunnels oauth2.googleapis.com:443 only: any other CONNECT, or a plain request, gets 403", async () => {
    const port = Number(new URL(oauth.proxyUrl).port);
    const ask = async (head: string) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(head));
      const buffer = new Uint8Array(256);
      const read = await conn.read(buffer);
      conn.close();
      return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
    };
    const connect =
      "CONNECT aiplatform.googleapis.com:443 HTTP/1.1\r\nHost: aiplatform.googleapis.com:443\r\n\r\n";
    const plain = "GET http://oauth2.googleapis.com/token HTTP/1.1\r\nHost: oauth2.googleapis.com\r\n\r\n";
    const before = oauth.proxy.tunnels.length;

    expect(await ask(connect)).toBe("HTTP/1.1 403 Forbidden");
    expect(await ask(plain)).toBe("HTTP/1.1 403 Forbidden");
    expect(oauth.proxy.refusals.slice(-2)).toEqual([connect.split("\r\n")[0], plain.split("\r\n")[0]]);
    expect(oauth.proxy.tunnels.length).toBe(before);
  });

  test("a key file whose private key IAM does not hold is refused with invalid_grant, named as a credential error without key material", async () => {
    const registered = makeServiceAccountKey(ACCOUNT, PROJECT);
    oauth.register(ACCOUNT, registered.publicKey);
    const stolen = makeServiceAccountKey(ACCOUNT, PROJECT).keyFile;
    const grantsBefore = oauth.grants.length;
    const callsBefore = vertex.calls.length;

    const { refused } = await callWithKeyFile("unregistered", stolen);

    expect(refused).toMatch(/^Google credentials refused: .*GOOGLE_APPLICATION_CREDENTIALS/);
    expect(refused).toMatch(/invalid_grant/);
    expect(oauth.grants.slice(grantsBefore)).toEqual(["Invalid JWT Signature."]);
    expect(vertex.calls.length).toBe(callsBefore);
    const body = stolen.private_key.split("\n").slice(1, -2).join("");
    for (const secret of [stolen.private_key_id, body.slice(0, 40), body.slice(-40)]) {
      expect(refused).not.toContain(secret);
    }
    expect(refused).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  test("a key file of a service account Google does not know is refused with invalid_grant", async () => {
    const { keyFile } = makeServiceAccountKey("deleted@acme-agents.iam.gserviceaccount.com", PROJECT);

    const { refused } = await callWithKeyFile("deleted", keyFile);

    expect(refused).toMatch(
      /^Google credentials refused: .*\(invalid_grant: Invalid grant: account not found\)$/,
    );
    expect(oauth.grants.at(-1)).toBe("Invalid grant: account not found");
  });
});
