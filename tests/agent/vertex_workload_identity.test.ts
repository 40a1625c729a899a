/**
 * Vertex AI with GKE workload identity (no `GOOGLE_APPLICATION_CREDENTIALS`), in a process started with
 * the `start` task's own permissions, read from `deno.json`: the token comes from the metadata server
 * although gcloud's credentials file (under `$HOME`) is outside what the service may read, and is not
 * printed when Google's debug logging is asked for.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import { type AnthropicStandIn, startAnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import {
  createGoogleTokens,
  type GoogleAuthStandIn,
  startGoogleAuthStandIn,
} from "../stand_ins/google_auth_server.ts";
import { startVertexStandIn, type VertexStandIn } from "../stand_ins/vertex_server.ts";
import { homeEnv, processEnv, startTaskPermissions } from "../service_process.ts";

const PROJECT = "acme-agents";
const ACCOUNT = "agent-runner@acme-agents.iam.gserviceaccount.com";
const MODEL = "claude-sonnet-4-5@20250929";
const CALL = fileURLToPath(new URL("./vertex_call_process.ts", import.meta.url));
const SCRIPT = { match: "Add login", turns: [{ content: [{ type: "text" as const, text: "Done." }] }] };

let home: string;
let upstream: AnthropicStandIn;
let metadata: GoogleAuthStandIn;
let vertex: VertexStandIn;
const tokens = createGoogleTokens();

beforeAll(async () => {
  home = await Deno.makeTempDir({ prefix: "vertex-home-" });
  upstream = await startAnthropicStandIn({ scripts: [SCRIPT, SCRIPT] });
  metadata = startGoogleAuthStandIn({ tokens, projectId: PROJECT, serviceAccount: ACCOUNT });
  vertex = startVertexStandIn({ upstream, tokens, projectId: PROJECT, region: "us-east5" });
});

afterAll(async () => {
  await vertex?.close();
  await metadata?.close();
  await upstream?.close();
  if (home) await Deno.remove(home, { recursive: true });
});

/** One Vertex call in a new process with the start task's permissions; what it printed. */
async function callWithStartPermissions(settings: Record<string, string> = {}) {
  const permissions = await startTaskPermissions();
  expect(permissions.join(" ")).not.toContain(home);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, CALL],
    clearEnv: true,
    env: processEnv({
      ...homeEnv(home),
      GCE_METADATA_HOST: metadata.metadataHost,
      CLOUD_ML_REGION: "us-east5",
      ANTHROPIC_VERTEX_PROJECT_ID: PROJECT,
      ANTHROPIC_VERTEX_BASE_URL: vertex.url,
      MODEL,
      ...settings,
    }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [out, err] = [stdout, stderr].map((bytes) => new TextDecoder().decode(bytes));
  expect(code, err).toBe(0);
  return { result: JSON.parse(out!.trim().split("\n").at(-1) ?? ""), printed: `${out}\n${err}` };
}

describe("Vertex AI with GKE workload identity", () => {
  test("with the start task's permissions, the metadata server's token signs the call; $HOME is not read", async () => {
    const { result } = await callWithStartPermissions();
    expect(result).toEqual({ stop: "" });
    expect(vertex.calls.map((call) => [call.method, call.model, call.principal])).toEqual([
      ["rawPredict", MODEL, ACCOUNT],
    ]);
  });

  test("Google's debug logging (GOOGLE_SDK_NODE_LOGGING) stays off: no access token is printed", async () => {
    const issued = tokens.all().length;
    const { result, printed } = await callWithStartPermissions({ GOOGLE_SDK_NODE_LOGGING: "*" });
    expect(result).toEqual({ stop: "" });
    const fresh = tokens.all().slice(issued);
    expect(fresh).toHaveLength(1);
    expect(printed).not.toContain(fresh[0]);
  });
});
