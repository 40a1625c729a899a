/** Submitting a job for `acme/tasks` through a replica's own API, as a client would. */
import { expect } from "vitest";
import type { Service } from "../../src/service.ts";

/** POSTs `{repo: "acme/tasks", issue}` to `service`'s `/v1/jobs`; expects 202 and returns the job's id. */
export async function submitToReplica(service: Pick<Service, "app">, issue: number): Promise<string> {
  const response = await service.app.request("/v1/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: "acme/tasks", issue }),
  });
  expect(response.status).toBe(202);
  return (await response.json()).id as string;
}
