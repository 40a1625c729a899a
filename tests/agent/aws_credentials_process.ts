/**
 * The service's start-up step that resolves AWS credentials (`awsCredentials`), run as its own process
 * so that it starts with a deployment's permissions and environment (`HOME`, `AWS_PROFILE`, the shared
 * config files). Prints one JSON line: `{"resolved": true}`, or `{"refused": message}`.
 */
import { awsCredentials } from "../../src/agent/cloud_credentials.ts";

try {
  await awsCredentials();
  console.log(JSON.stringify({ resolved: true }));
} catch (error) {
  console.log(JSON.stringify({ refused: (error as Error).message }));
}
