/** `GET /v1/environments`: scope `jobs:read`, and only the repositories the caller may see. */
import { expect, test } from "vitest";
import type { EnvironmentImage } from "../../src/contracts/environment.ts";
import { ADMIN_KEY, apiFixture, READER_KEY, TEST_KEY } from "../api/api_fixture.ts";

const image = (repo: string, key: string): EnvironmentImage => ({
  key: key.repeat(64),
  image: `backend-agent/env:${key.repeat(64)}`,
  repo,
  createdAt: "2026-01-02T10:00:00.000Z",
  sizeBytes: 52_000_000,
  packages: 14,
  lastUsedAt: "2026-01-02T12:00:00.000Z",
});
const images = [image("acme/tasks", "a"), image("other/secret", "b")];

test("lists the cached environments of the caller's repositories, with their labels and last use", async () => {
  const api = apiFixture({ environments: { list: () => Promise.resolve(images) } });
  const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
  const scoped = await api.call("/v1/environments", auth(TEST_KEY));
  expect(scoped.status).toBe(200);
  expect(await scoped.json()).toEqual({ environments: [images[0]] });
  const all = await (await api.call("/v1/environments", auth(READER_KEY))).json();
  expect(all.environments.map((e: EnvironmentImage) => e.repo)).toEqual(["acme/tasks", "other/secret"]);
  const admin = await api.call("/v1/environments", auth(ADMIN_KEY));
  expect(admin.status).toBe(200);
  expect((await api.app.request("/v1/environments")).status).toBe(401);
  const document = await (await api.app.request("/openapi.json")).json();
  expect(document.paths["/v1/environments"].get.security).toBeDefined();
  expect(Object.keys(document.components.schemas)).toEqual(
    expect.arrayContaining(["Environments", "Environment"]),
  );
  api.store.close();
});

test("a credential without jobs:read is refused", async () => {
  const api = apiFixture({
    environments: { list: () => Promise.resolve(images) },
    auth: {
      disabled: false,
      apiKey: () => Promise.resolve({ id: "key:none", kind: "api_key", scopes: new Set(), repos: ["*"] }),
    },
  });
  const refused = await api.call("/v1/environments", {
    headers: { authorization: "Bearer bak_anything-at-all" },
  });
  expect(refused.status).toBe(403);
  api.store.close();
});
