/**
 * A work item's sandbox, tied to a scope with `await using`: it is removed on
 * every path out of the scope, and at once when the job's signal aborts
 * (whatever runs in it stops now, not after its timeout).
 */
import type { Sandbox, SandboxFactory, SandboxSpec } from "../sandbox/sandbox.ts";

/** A created sandbox whose removal `await using` guarantees. */
export interface SandboxLease extends AsyncDisposable {
  readonly sandbox: Sandbox;
}

/** How a lease reports and when it lets go early. */
export interface LeaseOptions {
  /** Progress lines: `sandbox removed`, or why it could not be (the reaper removes it later). */
  say: (kind: string, message: string) => Promise<void>;
  /** Aborting removes the sandbox at once. */
  signal?: AbortSignal;
}

/** Creates a sandbox from `spec` and returns its lease. */
export async function leaseSandbox(
  factory: SandboxFactory,
  spec: SandboxSpec,
  options: LeaseOptions,
): Promise<SandboxLease> {
  const sandbox = await factory.create(spec);
  const stopNow = () => {
    sandbox.dispose().catch(() => undefined);
  };
  options.signal?.addEventListener("abort", stopNow, { once: true });
  return {
    sandbox,
    async [Symbol.asyncDispose]() {
      options.signal?.removeEventListener("abort", stopNow);
      try {
        await sandbox.dispose();
        await options.say("step", "sandbox removed");
      } catch (error) {
        // The work item's outcome stands; the reaper removes what is left.
        await options.say("error", `sandbox ${spec.name} could not be removed: ${(error as Error).message}`);
      }
    },
  };
}
