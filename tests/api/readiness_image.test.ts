import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createAuditLog } from "../../src/audit.ts";
import { hashApiKey } from "../../src/api/auth/api_keys.ts";
import { loadConfig } from "../../src/config.ts";
import { buildService, type Service } from "../../src/service.ts";
import { holdingPipeline } from "../jobs/holding_pipeline.ts";
import { IMAGE, startTestProxy } from "../docker_proxy/proxy_fixture.ts";

const BASE_ENV = { GITHUB_TOKEN: "ghp_test", ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true" };
/** An image no test builds. */
const MISSING = "backend-agent/readiness-test-no-such-image:missing";

describe("/readyz and the sandbox image", () => {
  let dir: string;
  let service: Service | undefined;
  const audited: string[] = [];
  const readiness = async (env: Record<string, string>, headers: Record<string, string> = {}) => {
    service = await buildService(
      loadConfig({ ...BASE_ENV, JOBS_DB_PATH: `${dir}/jobs.sqlite`, ...env }),
      {
        audit: createAuditLog({ write: (line) => audited.push(line) }),
        pipeline: holdingPipeline().pipeline,
      },
    );
    const response = await service.app.request("/readyz", { headers });
    return { status: response.status, body: await response.json() };
  };

  beforeEach(async () => {
    dir = await Deno.makeTempDir({ prefix: "backend-agent-readiness-" });
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    await Deno.remove(dir, { recursive: true });
  });

  test("with the sandbox image on the engine the service is ready", async () => {
    const { status, body } = await readiness({ SANDBOX_IMAGE: IMAGE });
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ready", checks: { docker: "ok", store: "ok", image: "ok" } });
  });

  test("a missing sandbox image makes it not ready, saying which command builds it", async () => {
    const { status, body } = await readiness({ SANDBOX_IMAGE: MISSING });
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "not_ready",
      checks: { docker: "ok", store: "ok", image: "failed" },
      problems: [
        `The sandbox image ${MISSING} is missing: build it with \`deno task image\`, or set SANDBOX_IMAGE to one that exists`,
      ],
    });
  });

  test("behind the Docker API proxy, an image its allowlist does not name is not ready, naming PROXY_ALLOWED_IMAGES", async () => {
    const proxy = startTestProxy({ PROXY_ALLOWED_IMAGES: "backend-agent/some-other-image:latest" });
    try {
      const { status, body } = await readiness({
        SANDBOX_IMAGE: IMAGE,
        DOCKER_HOST: `tcp://127.0.0.1:${proxy.proxy.port}`,
      });
      expect(status).toBe(503);
      expect(body.checks).toEqual({ docker: "ok", store: "ok", image: "failed" });
      expect(body.problems).toEqual([
        `The Docker API proxy does not allow the sandbox image ${IMAGE}: add it to the proxy's ` +
        "PROXY_ALLOWED_IMAGES, or set SANDBOX_IMAGE to an image it allows",
      ]);
    } finally {
      await service?.close();
      service = undefined;
      await proxy.proxy.close();
    }
  });

  test("behind the proxy, an allowed image the engine lacks is missing, with the same fix as without it", async () => {
    const proxy = startTestProxy({ PROXY_ALLOWED_IMAGES: MISSING });
    try {
      const { body } = await readiness({
        SANDBOX_IMAGE: MISSING,
        DOCKER_HOST: `tcp://127.0.0.1:${proxy.proxy.port}`,
      });
      expect(body.problems).toEqual([
        expect.stringMatching(/^The sandbox image .* is missing: build it with `deno task image`/),
      ]);
    } finally {
      await service?.close();
      service = undefined;
      await proxy.proxy.close();
    }
  });

  test("with API keys, a probe without credentials learns only status and checks; a key holder gets the fixes", async () => {
    const key = "bak_readiness-test-key";
    const env = {
      SANDBOX_IMAGE: MISSING,
      AUTH_DISABLED: "false",
      API_KEYS: JSON.stringify([{ name: "ops", hash: hashApiKey(key), scopes: ["jobs:read"] }]),
    };
    audited.length = 0;
    const anonymous = await readiness(env);
    expect(anonymous).toEqual({
      status: 503,
      body: { status: "not_ready", checks: { docker: "ok", store: "ok", image: "failed" } },
    });
    expect(audited).toEqual([]);
    await service?.close();
    const wrongCredentials: Record<string, string>[] = [{ authorization: "Bearer bak_wrong" }, {
      "x-api-key": "bak_wrong",
    }];
    for (const headers of wrongCredentials) {
      const wrong = await readiness(env, headers);
      expect(wrong.body).not.toHaveProperty("problems");
      // A credential sent and rejected is audited, as on /v1; a probe without one is not.
      expect(audited.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ event: "auth_failed", path: "/readyz" }),
      ]);
      audited.length = 0;
      await service?.close();
    }
    const operator = await readiness(env, { authorization: `Bearer ${key}` });
    expect(operator.status).toBe(503);
    expect(operator.body.problems).toEqual([
      expect.stringContaining(`The sandbox image ${MISSING} is missing`),
    ]);
  });
});
