/** The record of GitHub webhook deliveries already received (`X-GitHub-Delivery`), for deduplication. */

/** Delivery ids seen; GitHub sends the same id again when a delivery is redelivered. */
export interface WebhookDeliveries {
  /**
   * Records delivery `id` of `event` received `at`; true the first time, false when it was seen before
   * (then nothing must be started again).
   */
  claim(id: string, event: string, at: Date): Promise<boolean>;
  /** Forgets delivery `id`, so GitHub's redelivery of it is acted on (when acting on it failed). */
  forget(id: string): Promise<void>;
}
