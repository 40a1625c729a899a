/**
 * Whether the sandbox image (`SANDBOX_IMAGE`) is there to start sandboxes from, and the fix when it
 * is not, said the same way in `/readyz` and in a job's error: missing on the engine (build it with
 * `deno task image`), or refused by the Docker API proxy in front of it (not in its
 * `PROXY_ALLOWED_IMAGES`: the proxy answers an inspect of an image it does not allow with 403).
 */
import type Docker from "dockerode";

/** A failed Docker call as dockerode rejects it. */
interface DockerFailure {
  statusCode?: number;
  json?: { message?: string };
}

/** What to do when the sandbox image `image` cannot be used, for the failure `error`; undefined when it is another failure. */
export function sandboxImageProblem(image: string, error: unknown): string | undefined {
  const status = (error as DockerFailure | undefined)?.statusCode;
  const message = (error as DockerFailure | undefined)?.json?.message ?? "";
  if (status === 404 && /no such image/i.test(message)) {
    return `The sandbox image ${image} is missing: build it with \`deno task image\`, or set SANDBOX_IMAGE to one that exists`;
  }
  if (status === 403 && /docker-proxy/.test(message)) {
    return `The Docker API proxy does not allow the sandbox image ${image}: add it to the proxy's ` +
      "PROXY_ALLOWED_IMAGES, or set SANDBOX_IMAGE to an image it allows";
  }
  return undefined;
}

/**
 * Inspects `image` on each engine of `engines` (through the proxy where `DOCKER_HOST` names one).
 * @returns one problem per engine that answers without the image (its name first when there are
 *   several); empty when every engine that answers has it. An engine that does not answer is the
 *   Docker check's to report.
 */
export async function sandboxImageProblems(
  engines: ReadonlyArray<{ name: string; docker: Pick<Docker, "getImage"> }>,
  image: string,
): Promise<string[]> {
  const problems = await Promise.all(engines.map(async ({ name, docker }) => {
    try {
      await docker.getImage(image).inspect();
      return undefined;
    } catch (error) {
      const problem = sandboxImageProblem(image, error);
      return problem && engines.length > 1 ? `${name}: ${problem}` : problem;
    }
  }));
  return problems.filter((p): p is string => p !== undefined);
}
