/**
 * Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the webhook secret, `sha256=<hex>`)
 * with `@octokit/webhooks` (timing-safe; the older SHA-1 header is not accepted).
 */
import { Webhooks } from "@octokit/webhooks";

/** Whether `signature` is GitHub's signature of `body` with the secret. Never throws. */
export type SignatureCheck = (body: string, signature: string) => Promise<boolean>;

/** The check for `secret` (`GITHUB_WEBHOOK_SECRET`). */
export function createSignatureCheck(secret: string): SignatureCheck {
  const webhooks = new Webhooks({ secret });
  return async (body, signature) => {
    try {
      return await webhooks.verify(body, signature);
    } catch {
      return false;
    }
  };
}
