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
 * @param signal ends the inspections (a caller that stops waiting for an engine that never answers).
 */
export async function sandboxImageProblems(
  engines: ReadonlyArray<{ name: string; docker: Pick<Docker, "modem"> }>,
  image: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const problems = await Promise.all(engines.map(async ({ name, docker }) => {
    try {
      await inspectImage(docker, image, signal);
      return undefined;
    } catch (error) {
      const problem = sandboxImageProblem(image, error);
      return problem && engines.length > 1 ? `${name}: ${problem}` : problem;
    }
  }));
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * `GET /images/{image}/json` as dockerode's `Image.inspect` sends it (same status codes, same
 * errors), ended when `signal` aborts: `Image.inspect` takes no signal.
 */
function inspectImage(docker: Pick<Docker, "modem">, image: string, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    docker.modem.dial({
      path: `/images/${image}/json`,
      method: "GET",
      statusCodes: { 200: true, 404: "no such image", 500: "server error" },
      ...(signal ? { abortSignal: signal } : {}),
    }, (error, data) => error ? reject(error) : resolve(data));
  });
}
