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
 * The AWS default credential chain (environment, SSO and shared profile, `credential_process`, web
 * identity token file, ECS container credentials, EC2 instance metadata), memoized and refreshed by
 * the AWS SDK before the credentials expire. Resolved once now.
 *
 * @throws {ConfigError} with {@link AWS_CREDENTIALS_FIX} when the chain finds nothing.
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
    throw new ConfigError(`No AWS credentials: ${AWS_CREDENTIALS_FIX} (${(error as Error).message})`, {
      cause: error,
    });
  }
  return {
    provider,
    secrets: () => [current?.secretAccessKey, current?.sessionToken].filter((s): s is string => !!s),
  };
}

const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * The Application Default Credentials client (`keyFile`, else the ADC search: the
 * `GOOGLE_APPLICATION_CREDENTIALS` file, gcloud's well-known file, the metadata server of GKE and
 * Compute Engine), with a first access token fetched now so refused credentials stop the start.
 *
 * @throws {ConfigError} with {@link GOOGLE_CREDENTIALS_FIX} and Google's reason. The Google error is
 *   not chained: its request carries the signed assertion, itself a credential.
 */
export async function googleAuthClient(keyFile: string | undefined): Promise<CloudCredentials<AuthClient>> {
  const { GoogleAuth } = await import("google-auth-library");
  const auth = new GoogleAuth({
    scopes: [CLOUD_PLATFORM_SCOPE],
    ...(keyFile ? { keyFilename: keyFile } : {}),
  });
  let client: AuthClient;
  try {
    client = await auth.getClient();
    await client.getAccessToken();
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]!.slice(0, 300);
    throw new ConfigError(`Google credentials refused: ${GOOGLE_CREDENTIALS_FIX} (${reason})`);
  }
  return {
    provider: client,
    secrets: () =>
      [client.credentials.access_token, client.credentials.refresh_token, client.credentials.id_token]
        .filter((s): s is string => !!s),
  };
}
