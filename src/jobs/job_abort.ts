/** Why a job's pipeline was told to stop: the `reason` of its aborted signal. */
export class JobAbort extends Error {
  override name = "JobAbort";
  /**
   * @param kind `cancelled` (someone asked), `deadline` (`JOB_DEADLINE_MS`), `shutdown` (service stopping).
   * @param message the job's reason, as a person reads it.
   */
  constructor(readonly kind: "cancelled" | "deadline" | "shutdown", message: string) {
    super(message);
  }
}
