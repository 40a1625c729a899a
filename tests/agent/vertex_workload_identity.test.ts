/**
 * Vertex AI with GKE workload identity (no `GOOGLE_APPLICATION_CREDENTIALS`), in a process started with
 * the `start` task's own permissions, read from `deno.json`: the token comes from the metadata server
 * although gcloud's credentials file (under `$HOME`) is outside what the service may read.
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
  upstream = await startAnthropicStandIn({ scripts: [SCRIPT] });
  metadata = startGoogleAuthStandIn({ tokens, projectId: PROJECT, serviceAccount: ACCOUNT });
  vertex = startVertexStandIn({ upstream, tokens, projectId: PROJECT, region: "us-east5" });
});

afterAll(async () => {
  await vertex?.close();
  await metadata?.close();
  await upstream?.close();
  if (home) await Deno.remove(home, { recursive: true });
});

describe("Vertex AI with GKE workload identity", () => {
  test("with the start task's permissions, the metadata server's token signs the call; $HOME is not read", async () => {
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
      }),
      stdout: "piped",
      stderr: "piped",
    }).output();
    expect(code, new TextDecoder().decode(stderr)).toBe(0);
    const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(out)).toEqual({ stop: "" });
    expect(vertex.calls.map((call) => [call.method, call.model, call.principal])).toEqual([
      ["rawPredict", MODEL, ACCOUNT],
    ]);
  });
});
