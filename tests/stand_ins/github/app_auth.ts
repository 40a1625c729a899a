/**
 * GitHub App authentication on the stand-in: `POST /app/installations/{id}/access_tokens`
 * (the App's RS256 JWT in, a repository-scoped installation token out) and
 * `DELETE /installation/token` (revocation), plus the check of which tokens
 * may reach which repository.
 */
import { importSPKI, jwtVerify } from "jose";
import { errorResponse, json, notFound } from "./responses.ts";
import type { StandInState } from "./state.ts";
import { repository } from "./wire_repo.ts";

/** The App the stand-in knows. */
export interface StandInApp {
  id: number;
  installationId: number;
  /** SPKI PEM of the App's public key. */
  publicKeyPem: string;
  /**
   * The permissions the installation was granted; a token asking for more is refused 422, as on GitHub.
   * Absent: whatever is asked for.
   */
  granted?: Record<string, string>;
}

/** One installation token the stand-in issued. */
export interface IssuedToken {
  token: string;
  /** Repository names (lower case) the token reaches. */
  repositories: string[];
  permissions: Record<string, string>;
  revoked: boolean;
}

const DOCS = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";

/** Handles the two App routes; undefined when `url` is not one of them. */
export async function appRoute(
  request: Request,
  url: URL,
  body: unknown,
  context: { state: StandInState; app?: StandInApp; issued: Map<string, IssuedToken> },
): Promise<Response | undefined> {
  const create = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
  if (create && request.method === "POST") {
    const app = context.app;
    if (!app || Number(create[1]) !== app.installationId) return notFound();
    const jwt = /^bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!jwt) return errorResponse(401, "A JSON web token could not be decoded", { docs: DOCS });
    try {
      const { payload } = await jwtVerify(jwt, await importSPKI(app.publicKeyPem, "RS256"), {
        algorithms: ["RS256"],
      });
      if (String(payload.iss) !== String(app.id)) throw new Error("wrong issuer");
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > 600) throw new Error("too long-lived");
    } catch {
      return errorResponse(401, "'Issuer' claim ('iss') must be an Integer", { docs: DOCS });
    }
    const wanted = (body as { repositories?: string[] } | undefined)?.repositories ?? [];
    const repos = wanted.map((name) =>
      [...context.state.repos.values()].find((r) => r.name.toLowerCase() === name.toLowerCase())
    );
    if (repos.some((r) => r === undefined)) {
      return errorResponse(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
        { docs: DOCS },
      );
    }
    const permissions = (body as { permissions?: Record<string, string> } | undefined)?.permissions ?? {
      contents: "write",
      pull_requests: "write",
      issues: "write",
      metadata: "read",
    };
    const level = { read: 1, write: 2, admin: 3 } as Record<string, number>;
    const granted = app.granted;
    if (
      granted &&
      Object.entries(permissions).some(([name, want]) =>
        (level[granted[name] ?? ""] ?? 0) < (level[want] ?? 9)
      )
    ) {
      return errorResponse(422, "The permissions requested are not granted to this installation.", {
        docs: DOCS,
      });
    }
    const token = `ghs_${crypto.randomUUID().replaceAll("-", "")}`;
    context.issued.set(token, {
      token,
      repositories: repos.map((r) => `${r!.owner}/${r!.name}`.toLowerCase()),
      permissions,
      revoked: false,
    });
    return json(201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      permissions,
      repository_selection: "selected",
      repositories: repos.map((r) => repository(context.state.baseUrl, r!)),
    });
  }
  if (url.pathname === "/installation/token" && request.method === "DELETE") {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    const issued = context.issued.get(token);
    if (!issued || issued.revoked) return errorResponse(401, "Bad credentials");
    issued.revoked = true;
    return new Response(null, { status: 204 });
  }
  return undefined;
}

/** Whether an installation token may touch `owner/name` (a fixed token reaches everything). */
export function tokenReaches(issued: IssuedToken | undefined, fullName: string): boolean {
  return issued === undefined || issued.repositories.includes(fullName.toLowerCase());
}
