import { describe, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { DEFAULT_DOCKER_SOCKET } from "../../src/sandbox/docker_client.ts";
import { holdingPipeline } from "./holding_pipeline.ts";
import { serviceUnderTest } from "./service_fixture.ts";

const engine = Deno.env.get("DOCKER_HOST") ?? `unix://${DEFAULT_DOCKER_SOCKET}`;

describe("/readyz with DOCKER_HOSTS", () => {
  const fixture = serviceUnderTest();
  const config = () =>
    fixture.config({
      DOCKER_HOSTS: `${engine},unix://${fixture.dir}/stopped.sock`,
      SANDBOXES_PER_HOST: "3",
    });

  const readiness = async () => {
    const response = await fixture.service!.app.request("/readyz");
    return { status: response.status, body: await response.json() };
  };

  test("the service starts with one engine down, and /readyz lists every engine: ready while one answers", async () => {
    await fixture.start(config(), { audit: NO_AUDIT, worker: false });
    const { status, body } = await readiness();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "ready",
      checks: { docker: "ok", store: "ok" },
      hosts: [
        { host: engine, status: "up", sandboxes: 0, capacity: 3 },
        {
          host: `unix://${fixture.dir}/stopped.sock`,
          status: "down",
          sandboxes: 0,
          capacity: 3,
          error: `connect ENOENT ${fixture.dir}/stopped.sock`,
        },
      ],
    });
    expect(Date.parse(body.hosts[1].checkedAt)).not.toBeNaN();
  });

  test("a service whose pipeline is injected reports the engines the same way", async () => {
    await fixture.start(config(), { audit: NO_AUDIT, pipeline: holdingPipeline().pipeline });
    const { body } = await readiness();
    expect(body.hosts.map((h: { status: string }) => h.status)).toEqual(["up", "down"]);
  });

  test("with every engine down /readyz answers 503 and names each one's failure", async () => {
    const { dir } = fixture;
    await fixture.start(
      fixture.config({ DOCKER_HOSTS: `unix://${dir}/a.sock,unix://${dir}/b.sock` }),
      { audit: NO_AUDIT, worker: false },
    );
    const { status, body } = await readiness();
    expect(status).toBe(503);
    expect(body.status).toBe("not_ready");
    expect(body.checks.docker).toBe("failed");
    expect(body.hosts.map((h: { error: string }) => h.error)).toEqual([
      `connect ENOENT ${dir}/a.sock`,
      `connect ENOENT ${dir}/b.sock`,
    ]);
  });
});
