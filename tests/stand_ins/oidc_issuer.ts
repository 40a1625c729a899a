/**
 * An OpenID Connect issuer for workload identity: it signs the ID tokens a Kubernetes cluster projects
 * into a pod (`/var/run/secrets/…/token`), which AWS STS (`AssumeRoleWithWebIdentity`) and Google STS
 * (workload identity federation) exchange for cloud credentials after checking them against the
 * issuer's key.
 */
import { generateKeyPair, jwtVerify, SignJWT } from "jose";

/** Creates an issuer with a fresh RS256 key. */
export async function createOidcIssuer(issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/STANDIN") {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  return {
    issuer,
    /** A token for `subject` (e.g. `system:serviceaccount:agents:runner`) meant for `audience`. */
    mint(subject: string, audience: string, ttlSeconds = 3600): Promise<string> {
      return new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid: "stand-in" })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    /** The token's subject when it is this issuer's, for `audience` and unexpired; else throws. */
    async verify(token: string, audience: string): Promise<string> {
      const { payload } = await jwtVerify(token, publicKey, { issuer, audience });
      return String(payload.sub);
    },
  };
}

/** An issuer from {@link createOidcIssuer}. */
export type OidcIssuer = Awaited<ReturnType<typeof createOidcIssuer>>;
