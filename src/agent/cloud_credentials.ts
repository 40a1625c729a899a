/**
 * The cloud credentials the Bedrock and Vertex clients sign with, resolved once at start-up through
 * the clouds' own chains: the AWS default credential chain and Google's Application Default
 * Credentials. Static keys never come from a job request: only the service's environment, its
 * profile files and its workload's role are read.
 *
 * The cloud SDKs are imported only when their provider is chosen: they read the home folder and
 * other system facts as they load, which the Anthropic provider neither needs nor is granted.
 *
 * @module
 */
import type { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AuthClient } from "google-auth-library";
import { ConfigError } from "../errors.ts";

type AwsCredentialIdentityProvider = ReturnType<typeof fromNodeProviderChain>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/** Credentials that refresh themselves, and the secrets they hold now (to redact them from errors). */
export interface CloudCredentials<T> {
  provider: T;
  /** The secret parts of the credentials currently held (secret key, session token, access token). */
  secrets(): string[];
}

/** What to do when Bedrock finds no AWS credentials. */
export const AWS_CREDENTIALS_FIX = "Amazon Bedrock signs with AWS credentials from the default chain: run " +
  "the service with an IAM role (EKS: IRSA or Pod Identity, which set AWS_ROLE_ARN and " +
  "AWS_WEB_IDENTITY_TOKEN_FILE; ECS: the task role; EC2: the instance profile), or set AWS_PROFILE to a " +
  "profile in the shared config files, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the service's " +
  "environment";

/** What to do when Vertex AI finds no usable Google credentials. */
export const GOOGLE_CREDENTIALS_FIX = "Vertex AI authenticates with Application Default Credentials: set " +
  "GOOGLE_APPLICATION_CREDENTIALS to a service-account key file (or a workload identity federation " +
  "file), or run on GKE with workload identity (a Kubernetes service account bound to a Google service " +
  "account with roles/aiplatform.user)";

/**
 * The AWS shared config files (`AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, else
 * `~/.aws/config` and `~/.aws/credentials`) the service may not read. The AWS SDK skips such a file
 * without a word, so a profile in it is not found; the `start` task and the image read only the
 * project and `/run/secrets`.
 */
function unreadableSharedFiles(): string[] {
  const home = Deno.env.get("HOME") ?? "~";
  return [
    Deno.env.get("AWS_CONFIG_FILE") || `${home}/.aws/config`,
    Deno.env.get("AWS_SHARED_CREDENTIALS_FILE") || `${home}/.aws/credentials`,
  ].filter((path) => Deno.permissions.querySync({ name: "read", path }).state !== "granted");
}

/**
 * The AWS default credential chain (environment, SSO and shared profile, `credential_process`, web
 * identity token file, ECS container credentials, EC2 instance metadata), memoized and refreshed by
 * the AWS SDK before the credentials expire. Resolved once now.
 *
 * @throws {ConfigError} with {@link AWS_CREDENTIALS_FIX} when the chain finds nothing, naming the
 *   shared config files the service may not read.
 */
export async function awsCredentials(): Promise<CloudCredentials<AwsCredentialIdentityProvider>> {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const chain = fromNodeProviderChain();
  let current: AwsCredentialIdentity | undefined;
  const provider: AwsCredentialIdentityProvider = async (
    options?: Parameters<AwsCredentialIdentityProvider>[0],
  ) => {
    current = await chain(options);
    return current;
  };
  try {
    await provider();
  } catch (error) {
    const unreadable = unreadableSharedFiles();
    const note = unreadable.length === 0 ? "" : `. The service may not read ${unreadable.join(" and ")} ` +
      "(outside its --allow-read): put the shared config files under /run/secrets and name them in " +
      "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE";
    throw new ConfigError(`No AWS credentials: ${AWS_CREDENTIALS_FIX}${note} (${(error as Error).message})`, {
      cause: error,
    });
  }
  return {
    provider,
    secrets: () => [current?.secretAccessKey, current?.sessionToken].filter((s): s is string => !!s),
  };
}

/**
 * The first line of Google's reason, at most 300 characters, without the file's text a JSON syntax
 * error quotes: a credentials file that is not JSON (another secret mounted in its place) would
 * otherwise show its first characters, or all of a short one (`Unexpected token 'C', "CANARY…" is not
 * valid JSON`).
 */
function googleReason(error: unknown): string {
  const message = (error as Error).message.replace(/(Unexpected token)\b[\s\S]*/, "$1: the file is not JSON");
  return message.split("\n")[0]!.slice(0, 300);
}

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * gcloud's Application Default Credentials file (`gcloud auth application-default login`:
 * `$CLOUDSDK_CONFIG` or `~/.config/gcloud`, `application_default_credentials.json`) when it is there
 * and the service may read it; else undefined. Asked here because `google-auth-library` looks for it
 * with a call that throws, instead of going on to the metadata server, when the file is outside
 * `--allow-read` (the `start` task and the image read only the project and `/run/secrets`).
 */
function gcloudCredentialsFile(): string | undefined {
  const home = Deno.env.get("HOME");
  const dir = Deno.env.get("CLOUDSDK_CONFIG") || (home ? `${home}/.config/gcloud` : undefined);
  if (dir === undefined) return undefined;
  const path = `${dir}/application_default_credentials.json`;
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
  try {
    return Deno.statSync(path).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Application Default Credentials client, searched in ADC's order: `keyFile`, else the
 * `GOOGLE_APPLICATION_CREDENTIALS` file (a service-account key or a workload identity federation
 * file), else gcloud's file, else the metadata server of GKE workload identity and Compute Engine. A first
 * access token is fetched now so refused credentials stop the start. The metadata server is reached
 * as `google-auth-library` reaches it (`GCE_METADATA_HOST`, or the link-local address); deciding how
 * long to wait for it reads the network interfaces (`--allow-sys=networkInterfaces`).
 *
 * @throws {ConfigError} with {@link GOOGLE_CREDENTIALS_FIX} and Google's reason. The Google error is
 *   not chained: its request carries the signed assertion, itself a credential.
 */
export async function googleAuthClient(keyFile: string | undefined): Promise<CloudCredentials<AuthClient>> {
  // Off, as ANTHROPIC_LOG is pinned: Google's debug logging (GOOGLE_SDK_NODE_LOGGING) prints the
  // metadata server's and the token endpoint's answers, access tokens included. Its loggers read the
  // variable once, as the library loads.
  Deno.env.delete("GOOGLE_SDK_NODE_LOGGING");
  const { Compute, GoogleAuth } = await import("google-auth-library");
  const scopes = [CLOUD_PLATFORM_SCOPE];
  let client: AuthClient;
  try {
    const file = keyFile || Deno.env.get("GOOGLE_APPLICATION_CREDENTIALS") || gcloudCredentialsFile();
    client = file ? await new GoogleAuth({ scopes, keyFilename: file }).getClient() : new Compute({ scopes });
    await client.getAccessToken();
  } catch (error) {
    throw new ConfigError(`Google credentials refused: ${GOOGLE_CREDENTIALS_FIX} (${googleReason(error)})`);
  }
  return {
    provider: client,
    secrets: () =>
      [client.credentials.access_token, client.credentials.refresh_token, client.credentials.id_token]
        .filter((s): s is string => !!s),
  };
}
