import { afterEach, beforeEach, expect, test } from "vitest";
import { type ApiFixture, apiFixture } from "./api_fixture.ts";

let api: ApiFixture;
beforeEach(() => {
  api = apiFixture();
});
afterEach(() => api.store.close());

test("a job request carrying model credentials is refused, without the credentials in the answer", async () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  for (
    const extra of [
      { awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE", awsSecretAccessKey: secret },
      { env: { AWS_SECRET_ACCESS_KEY: secret } },
      { credentials: { type: "service_account", private_key: secret } },
      { anthropicApiKey: secret },
    ]
  ) {
    const response = await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue: 12, ...extra } });
    expect(response.status).toBe(422);
    expect(await response.text()).not.toContain(secret);
  }
  expect(await api.store.claimNext()).toBeUndefined();
});
