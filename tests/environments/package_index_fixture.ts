/**
 * A package index inside Docker for tests and the demo (no PyPI is reachable here): a container
 * from the sandbox image on an egress network builds wheels of tiny local packages offline and
 * serves them as a PEP 503 `simple/` tree (`index_server.py`). A second container on the same
 * network plays a host that is not on the allowlist.
 */
import type Docker from "dockerode";
import type { Container, Network } from "dockerode";
import { execInContainer } from "../../src/sandbox/docker_exec.ts";
import { LABELS } from "../../src/sandbox/limits.ts";

/** One tiny package: its one module `<name>.py` and its dependencies. */
export interface TinyPackage {
  name: string;
  version: string;
  module: string;
  requires?: string[];
}

/** Two packages, one depending on the other (so setup installs a dependency it was not asked for). */
export const TINY_PACKAGES: TinyPackage[] = [
  {
    name: "tinyjwt",
    version: "1.0.0",
    module: 'import tinyb64\n\n\ndef sign(claims):\n    """A stand-in token."""\n' +
      "    return tinyb64.encode(repr(sorted(claims.items())))\n",
    requires: ["tinyb64>=1.0"],
  },
  {
    name: "tinyb64",
    version: "1.0.0",
    module:
      "import base64\n\n\ndef encode(text):\n    return base64.urlsafe_b64encode(text.encode()).decode()\n",
  },
  {
    name: "tinyb64",
    version: "1.1.0",
    module:
      "import base64\n\n\ndef encode(text):\n    return base64.urlsafe_b64encode(text.encode()).decode()\n",
  },
];

const SERVER = await Deno.readTextFile(new URL("./index_server.py", import.meta.url));
const TEST_LABEL = "dev.backend-agent.test";

/** Options of {@link PackageIndexFixture.start}. */
export interface PackageIndexOptions {
  /** The sandbox image the index runs from. */
  image: string;
  packages?: TinyPackage[];
  /** An existing network to serve on; default: a new bridge network, removed with the fixture. */
  network?: string;
  /**
   * A name the index also answers to on its network, used in {@link PackageIndexFixture.url}: indexes
   * started with the same alias have the same URL, so environments built from one are cache hits for
   * the others (the cache key holds the index URL and the allowlist).
   */
  alias?: string;
}

/** A running index and the network it serves on. */
export class PackageIndexFixture implements AsyncDisposable {
  readonly #containers: Container[] = [];

  private constructor(
    private readonly docker: Docker,
    private readonly image: string,
    /** The egress network the index is on (`SETUP_EGRESS_NETWORK`). */
    readonly network: string,
    private readonly ownNetwork: Network | undefined,
    /** The index's host name (its alias, else its container's name): the host the allowlist names. */
    readonly host: string,
  ) {}

  /** Starts the index; resolves once it serves. */
  static async start(docker: Docker, options: PackageIndexOptions): Promise<PackageIndexFixture> {
    const id = crypto.randomUUID().slice(0, 8);
    let ownNetwork: Network | undefined;
    const network = options.network ?? `backend-agent-test-egress-${id}`;
    if (!options.network) {
      ownNetwork = await docker.createNetwork({
        Name: network,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: { [TEST_LABEL]: "true" },
      });
    }
    const fixture = new PackageIndexFixture(
      docker,
      options.image,
      network,
      ownNetwork,
      options.alias ?? `index-${id}`,
    );
    try {
      await fixture.#serve(
        options.alias ? `index-${id}` : fixture.host,
        options.packages ?? TINY_PACKAGES,
        options.alias,
      );
      return fixture;
    } catch (error) {
      await fixture[Symbol.asyncDispose]();
      throw error;
    }
  }

  /** The index URL, e.g. `http://index-1a2b3c4d:8080/simple`, with `userinfo` when given. */
  url(userinfo?: string): string {
    return `http://${userinfo ? `${userinfo}@` : ""}${this.host}:8080/simple`;
  }

  /** Starts another server on the same network (a host not on the allowlist); returns its name and IP. */
  async startOther(): Promise<{ host: string; ip: string }> {
    const host = `other-${crypto.randomUUID().slice(0, 8)}`;
    const container = await this.#serve(host, []);
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks[this.network]?.IPAddress ?? "";
    return { host, ip };
  }

  /** What the index logged (one line per request). */
  async requests(): Promise<string> {
    const logs = await this.#containers[0]!.logs({ stdout: true, stderr: true });
    return new TextDecoder().decode(logs as unknown as Uint8Array);
  }

  /** The size in bytes of a file the index serves, by its path under the index (`packages/x.whl`). */
  async servedSize(path: string): Promise<number> {
    const result = await execInContainer(this.#containers[0]!, ["stat", "-c", "%s", `/tmp/index/${path}`], {
      user: "sandbox",
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
      cwd: "/",
    });
    const size = Number(result.stdout.trim());
    if (result.exitCode !== 0 || !Number.isSafeInteger(size)) throw new Error(`the index serves no ${path}`);
    return size;
  }

  async #serve(name: string, packages: TinyPackage[], alias?: string): Promise<Container> {
    const container = await this.docker.createContainer({
      name,
      Image: this.image,
      ...(alias ? { NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [alias] } } } } : {}),
      Cmd: ["python3", "-c", SERVER, JSON.stringify(packages)],
      User: "1000:1000",
      Labels: { [TEST_LABEL]: "true" },
      HostConfig: {
        NetworkMode: this.network,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,noexec,nosuid,size=32m" },
        Memory: 128 * 1024 * 1024,
        PidsLimit: 64,
      },
    });
    this.#containers.push(container);
    await container.start();
    for (let i = 0; i < 200; i++) {
      const logs = await container.logs({ stdout: true, stderr: true });
      if (new TextDecoder().decode(logs as unknown as Uint8Array).includes("index: serving")) {
        return container;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the test index ${name} did not start`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const container of this.#containers.splice(0)) {
      await container.remove({ force: true }).catch(() => undefined);
    }
    await this.ownNetwork?.remove().catch(() => undefined);
  }
}

/** The managed label every service-made resource carries (for leftover checks). */
export const MANAGED_FILTER = JSON.stringify({ label: [`${LABELS.managed}=true`] });
