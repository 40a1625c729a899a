/**
 * A stand-in for AWS STS `AssumeRoleWithWebIdentity` (the Query protocol: a form POST, an XML
 * answer), what the AWS SDK's credential chain calls with `AWS_ROLE_ARN` and
 * `AWS_WEB_IDENTITY_TOKEN_FILE` (EKS IRSA). The SDK reaches it through `AWS_ENDPOINT_URL_STS`.
 * It checks the token against the cluster's OIDC issuer and the role's trust (audience
 * `sts.amazonaws.com`), and issues temporary credentials the Bedrock stand-in accepts.
 * Source: AWS STS API reference, AssumeRoleWithWebIdentity.
 */
import { randomUUID } from "node:crypto";
import type { AwsIdentities } from "./aws_identities.ts";
import type { OidcIssuer } from "./oidc_issuer.ts";

/** A running STS stand-in. */
export interface AwsStsStandIn {
  url: string;
  /** Role ARNs assumed, in order. */
  assumed: string[];
  close(): Promise<void>;
}

const xml = (status: number, body: string) =>
  new Response(body, { status, headers: { "content-type": "text/xml", "x-amzn-requestid": randomUUID() } });

function errorXml(status: number, code: string, message: string): Response {
  return xml(
    status,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** Starts the stand-in; `roles` may be assumed by a token of `issuer`, for `ttlMs` each. */
export function startAwsStsStandIn(
  options: { identities: AwsIdentities; issuer: OidcIssuer; roles: string[]; ttlMs?: number },
): AwsStsStandIn {
  const assumed: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const form = new URLSearchParams(await request.text());
    if (request.method !== "POST" || form.get("Action") !== "AssumeRoleWithWebIdentity") {
      return errorXml(
        400,
        "InvalidAction",
        `Could not find operation ${form.get("Action")} for version 2011-06-15`,
      );
    }
    const role = form.get("RoleArn") ?? "";
    const session = form.get("RoleSessionName") ?? "";
    let subject: string;
    try {
      subject = await options.issuer.verify(form.get("WebIdentityToken") ?? "", "sts.amazonaws.com");
    } catch (error) {
      const expired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
      return expired
        ? errorXml(
          400,
          "ExpiredTokenException",
          "Token expired: current date/time 0 must be before the expiration date/time 0",
        )
        : errorXml(
          400,
          "InvalidIdentityToken",
          "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        );
    }
    if (!options.roles.includes(role)) {
      return errorXml(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }
    const arn = role.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + `/${session}`;
    const credentials = options.identities.issueSession(arn, options.ttlMs ?? 3_600_000, Date.now());
    assumed.push(role);
    return xml(
      200,
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
        `<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>${subject}</SubjectFromWebIdentityToken>` +
        `<Audience>sts.amazonaws.com</Audience><AssumedRoleUser><Arn>${arn}</Arn>` +
        `<AssumedRoleId>AROASTANDIN:${session}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${credentials.sessionToken}</SessionToken>` +
        `<Expiration>${new Date(credentials.expiresAt).toISOString()}</Expiration></Credentials>` +
        `<Provider>${options.issuer.issuer}</Provider></AssumeRoleWithWebIdentityResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
        `</AssumeRoleWithWebIdentityResponse>`,
    );
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    assumed,
    close: () => closing ??= server.shutdown(),
  };
}
