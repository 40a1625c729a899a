/**
 * A submitter's dollars left today (`QUOTA_USD_PER_DAY`), as the agent's budget reads it before
 * every model call. The spend comes from the store's ledger, which grows as each work item's usage
 * is recorded; the pipeline refreshes it after each of its own writes, so every run of the same
 * submitter sees what the others recorded so far.
 */
import type { DailyAllowance } from "../pipeline/pipeline_contract.ts";
import type { SpendLedger } from "./store.ts";

/**
 * Opens `principal`'s allowance of `usdPerDay` dollars per UTC day, reading today's spend.
 * @throws whatever the ledger throws.
 */
export async function openDailyAllowance(
  ledger: SpendLedger,
  principal: string,
  usdPerDay: number,
): Promise<DailyAllowance> {
  let spent = await ledger.spentToday(principal);
  return {
    label: `Daily budget of ${principal} (QUOTA_USD_PER_DAY=$${usdPerDay.toFixed(2)})`,
    renews: "at 00:00 UTC",
    remainingUsd: () => usdPerDay - spent,
    async refresh() {
      spent = await ledger.spentToday(principal);
    },
  };
}
