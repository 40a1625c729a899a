/**
 * The package index the example repository installs from. `examples/task_service` needs `slugkit`, which the
 * sandbox image lacks, and no PyPI is reachable here: so the demo (and any test running the example) starts a
 * PEP 503 index inside Docker serving a wheel built from `packages/slugkit/slugkit.py`, and points the
 * service's `PIP_INDEX_URL` at it. The setup container then reaches it through the egress proxy like any index.
 */
import type Docker from "dockerode";
import { PackageIndexFixture, type TinyPackage } from "../tests/environments/package_index_fixture.ts";

/** The packages the example repository needs beyond the sandbox image. */
export const EXAMPLE_PACKAGES: TinyPackage[] = [
  {
    name: "slugkit",
    version: "1.0.0",
    module: await Deno.readTextFile(new URL("./packages/slugkit/slugkit.py", import.meta.url)),
  },
];

/** A running example index and the settings that point the service at it. */
export interface ExampleIndex extends AsyncDisposable {
  /** `PIP_INDEX_URL` and `SETUP_EGRESS_NETWORK` (the network the index serves on). */
  settings: Record<string, string>;
  /** The index's host, the one host the egress proxy allows. */
  host: string;
}

/**
 * The name every example index answers to on its own network: the index URL and the allowlist are the same
 * for each one started, so the example's environment is built once and found in the cache afterwards.
 */
export const EXAMPLE_INDEX_HOST = "example-index";

/** Starts the index from the sandbox image `image`; dispose it to remove its container and network. */
export async function startExampleIndex(docker: Docker, image: string): Promise<ExampleIndex> {
  const index = await PackageIndexFixture.start(docker, {
    image,
    packages: EXAMPLE_PACKAGES,
    alias: EXAMPLE_INDEX_HOST,
  });
  return {
    settings: { PIP_INDEX_URL: index.url(), SETUP_EGRESS_NETWORK: index.network },
    host: index.host,
    [Symbol.asyncDispose]: () => index[Symbol.asyncDispose](),
  };
}
