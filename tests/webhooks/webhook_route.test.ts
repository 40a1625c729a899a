import { afterEach, describe, expect, test } from "vitest";
import { createApp } from "../../src/api/app.ts";
import type { GitHubWebhooks } from "../../src/api/api_env.ts";
import { createApiKeyVerifier, hashApiKey, parseApiKeys } from "../../src/api/auth/api_keys.ts";
import { createAuthenticator } from "../../src/api/auth/authenticator.ts";
import { createAuditLog } from "../../src/audit.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { openSqliteWebhookDeliveries } from "../../src/jobs/sqlite_webhook_deliveries.ts";
import type { WebhookDelivery } from "../../src/webhooks/webhook_contract.ts";
import { createSignatureCheck } from "../../src/webhooks/webhook_signature.ts";
import { signBody } from "../stand_ins/github/webhook_sender.ts";

const SECRET = "a-webhook-secret-of-enough-length";
const KEY = "bak_route-key-0123456789abcdefghijklmnopqrstuv";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** The real app with API keys required, and webhooks when `withWebhooks`. */
function build(withWebhooks: boolean) {
  const store = openSqliteStore(":memory:", { idempotencyTtlMs: 1000 });
  const deliveries = openSqliteWebhookDeliveries(":memory:");
  closers.push(() => store.close(), () => deliveries.close());
  const received: WebhookDelivery[] = [];
  const audit: string[] = [];
  const webhooks: GitHubWebhooks = {
    verify: createSignatureCheck(SECRET),
    deliveries,
    inbox: { receive: (delivery) => received.push(delivery) },
  };
  const app = createApp({
    store,
    queue: { kick() {}, cancel: () => false },
    authenticator: createAuthenticator({
      apiKey: createApiKeyVerifier(parseApiKeys(JSON.stringify([{ name: "ci", hash: hashApiKey(KEY) }]))),
    }),
    audit: createAuditLog({ write: (line) => audit.push(line) }),
    quotas: { maxQueued: 10, usdPerDay: 10, maxStreams: 2 },
    pingDocker: () => Promise.resolve(),
    maxBodyBytes: 1024,
    ...(withWebhooks ? { webhooks } : {}),
  });
  const post = (body: string, headers: Record<string, string>) =>
    app.request("/v1/webhooks/github", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  return { app, post, received, audit };
}

const signed = (body: string, id: string = crypto.randomUUID(), event = "issues") => ({
  "x-github-event": event,
  "x-github-delivery": id,
  "x-hub-signature-256": signBody(SECRET, body),
});

describe("the webhook route at the API edge", () => {
  test("needs no API credential, only the signature, and takes bodies past API_MAX_BODY_BYTES", async () => {
    const { post, received } = build(true);
    const body = JSON.stringify({ action: "opened", padding: "x".repeat(2 * 1024 * 1024) });
    const response = await post(body, signed(body, "d-1"));
    expect(response.status).toBe(202);
    expect(received.map((d) => [d.id, d.event])).toEqual([["d-1", "issues"]]);
  });

  test("without GITHUB_WEBHOOK_SECRET it is a 404 webhooks_disabled, not an authentication failure", async () => {
    const { post } = build(false);
    const body = "{}";
    const response = await post(body, signed(body));
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe("webhooks_disabled");
  });

  test("a signed body that is not JSON, or without its delivery id, is a 400 and is not recorded", async () => {
    const { post, received } = build(true);
    const notJson = "action=opened";
    expect((await post(notJson, signed(notJson))).status).toBe(400);
    const body = "{}";
    const { "x-github-delivery": _, ...noId } = signed(body);
    expect((await post(body, noId)).status).toBe(400);
    expect(received).toEqual([]);
  });

  test("a signature over another body is refused: the signature covers the exact bytes", async () => {
    const { post, received, audit } = build(true);
    const body = JSON.stringify({ action: "labeled" });
    const response = await post(body.replace("labeled", "opened"), signed(body, "d-2"));
    expect(response.status).toBe(401);
    expect(received).toEqual([]);
    expect(JSON.parse(audit[0]!)).toMatchObject({
      event: "webhook_rejected",
      reason: "bad_signature",
      delivery: "d-2",
      githubEvent: "issues",
    });
  });
});
