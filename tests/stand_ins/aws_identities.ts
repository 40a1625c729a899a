/**
 * The AWS identities the Bedrock and STS stand-ins share: long-term access keys (`AKIA…`) and the
 * temporary credentials STS issues (`ASIA…` with a session token and an expiry), as IAM keeps them.
 */
import { randomBytes } from "node:crypto";

/** One access key's secret half and, for temporary credentials, its session token and expiry. */
export interface AwsIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which the session token is expired. */
  expiresAt?: number;
  /** The principal, e.g. `arn:aws:sts::123456789012:assumed-role/agent/session`. */
  arn: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const keyId = (prefix: string) => prefix + Array.from(randomBytes(16), (b) => ALPHABET[b % 32]).join("");

/** Creates an empty identity store. */
export function createAwsIdentities() {
  const byKeyId = new Map<string, AwsIdentity>();
  return {
    /** A long-term access key of IAM user `user`. */
    addUserKey(user: string): AwsIdentity {
      const identity = {
        accessKeyId: keyId("AKIA"),
        secretAccessKey: randomBytes(30).toString("base64").slice(0, 40),
        arn: `arn:aws:iam::123456789012:user/${user}`,
      };
      byKeyId.set(identity.accessKeyId, identity);
      return identity;
    },
    /** Temporary credentials of `arn`, valid for `ttlMs`. */
    issueSession(arn: string, ttlMs: number, now: number): Required<AwsIdentity> {
      const identity = {
        accessKeyId: keyId("ASIA"),
        secretAccessKey: randomBytes(30).toString("base64").slice(0, 40),
        sessionToken: randomBytes(96).toString("base64"),
        expiresAt: now + ttlMs,
        arn,
      };
      byKeyId.set(identity.accessKeyId, identity);
      return identity;
    },
    get(accessKeyId: string): AwsIdentity | undefined {
      return byKeyId.get(accessKeyId);
    },
    /** Every secret handed out (secret keys and session tokens), to prove none leaks. */
    secrets(): string[] {
      return [...byKeyId.values()].flatMap((
        i,
      ) => [i.secretAccessKey, ...(i.sessionToken ? [i.sessionToken] : [])]);
    },
  };
}

/** A store from {@link createAwsIdentities}. */
export type AwsIdentities = ReturnType<typeof createAwsIdentities>;
