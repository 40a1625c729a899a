/**
 * Verifies an AWS Signature Version 4 request the way an AWS service does, the signature itself
 * recomputed by `@smithy/signature-v4` (the AWS SDK's own signer), and answers each failure with the
 * status and body AWS sends. Source: AWS IAM user guide, "Signature Version 4 signing process" and
 * "Troubleshoot signature errors"; the messages are the services' own.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsIdentities, AwsIdentity } from "./aws_identities.ts";

/** Why AWS refuses a request: the `x-amzn-ErrorType` and the JSON body's message (HTTP 403). */
export interface SignatureFailure {
  status: 403;
  type: string;
  message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** `20260101T000000Z` → epoch ms, or NaN. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const fail = (type: string, message: string): SignatureFailure => ({ status: 403, type, message });

/** The five-minute window AWS allows between the request's time and its own. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Checks `request` (with its raw `body`) was signed for `service` in `region` by a key of
 * `identities`, at most five minutes from `now`.
 *
 * @returns the identity that signed it, or the failure AWS would answer.
 */
export async function verifySigV4(
  request: Request,
  body: Uint8Array,
  options: { identities: AwsIdentities; service: string; region: string; now: number },
): Promise<AwsIdentity | SignatureFailure> {
  const authorization = request.headers.get("authorization");
  if (!authorization) return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) {
    return fail(
      "IncompleteSignatureException",
      `Authorization header requires 'Credential' parameter. Authorization=${authorization.split(" ")[0]}`,
    );
  }
  const [, accessKeyId, , region, service, signedHeaders, signature] = parts as unknown as string[];
  if (service !== options.service) {
    return fail(
      "InvalidSignatureException",
      `Credential should be scoped to correct service: '${options.service}'. `,
    );
  }
  if (region !== options.region) {
    return fail("InvalidSignatureException", `Credential should be scoped to a valid region. `);
  }
  const identity = options.identities.get(accessKeyId!);
  if (!identity) {
    return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
  }
  if (identity.sessionToken !== undefined) {
    if (request.headers.get("x-amz-security-token") !== identity.sessionToken) {
      return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (identity.expiresAt !== undefined && identity.expiresAt <= options.now) {
      return fail("ExpiredTokenException", "The security token included in the request is expired");
    }
  }
  const dateHeader = request.headers.get("x-amz-date") ?? "";
  const signedAt = parseAmzDate(dateHeader);
  if (Number.isNaN(signedAt)) {
    return fail(
      "IncompleteSignatureException",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (signedAt < options.now - MAX_SKEW_MS) {
    return fail(
      "InvalidSignatureException",
      `Signature expired: ${dateHeader} is now earlier than ${amzDate(options.now - MAX_SKEW_MS)} (${
        amzDate(options.now)
      } - 5 min.)`,
    );
  }
  if (signedAt > options.now + MAX_SKEW_MS) {
    return fail(
      "InvalidSignatureException",
      `Signature not yet current: ${dateHeader} is still later than ${amzDate(options.now + MAX_SKEW_MS)} (${
        amzDate(options.now)
      } + 5 min.)`,
    );
  }
  const declaredHash = request.headers.get("x-amz-content-sha256");
  if (declaredHash !== null && declaredHash !== createHash("sha256").update(body).digest("hex")) {
    return fail(
      "InvalidSignatureException",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(";")) headers[name] = request.headers.get(name) ?? "";
  const query: Record<string, string[]> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
    },
    sha256: Sha256,
  });
  const expected = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers,
    body: new TextDecoder().decode(body),
  }, { signingDate: new Date(signedAt) });
  const computed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "";
  const ok = computed.length === signature!.length &&
    timingSafeEqual(Buffer.from(computed), Buffer.from(signature!));
  if (!ok) {
    return fail(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
        "Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return identity;
}
