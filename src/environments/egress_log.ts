/**
 * The egress proxy's log, read into the job's egress log: one {@link EgressEntry} per request the
 * setup container sent through the proxy, with its host, method (`CONNECT` for an HTTPS tunnel),
 * and whether the proxy let it through. The writer is tinyproxy (`LogLevel Info`, see
 * `images/python-sandbox/egress/tinyproxy.conf`); its lines look like
 *
 * ```
 * CONNECT   Nov 30 20:32:11.936 [7]: Request (file descriptor 4): CONNECT pypi.org:443 HTTP/1.1
 * NOTICE    Nov 30 20:32:11.936 [7]: Proxying refused on filtered url "http://pypi.org:22/"
 * INFO      Nov 30 20:32:11.944 [7]: Refused CONNECT method on port 8443
 * ```
 *
 * A refusal line names the URL or host (filter) or the port (CONNECT to a port other than 443); it is
 * matched to the latest request without a verdict that it fits. tinyproxy logs no sizes, so
 * `bytes` is null. The log is untrusted text from a container: each line is read on its own,
 * bounded, and nothing in it is executed or echoed beyond the host name.
 */
import type { EgressEntry } from "../contracts/environment.ts";

const LINE = /^[A-Z]+\s+[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3} \[\d+\]: (.*)$/;
const REQUEST = /^Request \(file descriptor \d+\): ([A-Z]{1,16}) (\S{1,4096}) HTTP\/\d\.\d$/;
const FILTERED = /^Proxying refused on filtered domain "([^"]{0,253})"$/;
/** The refusal when the filter reads whole URLs (`FilterURLs On`): `http://host:port/…` or, for CONNECT, `host:port`. */
const FILTERED_URL = /^Proxying refused on filtered url "([^"]{0,4096})"$/;
const BAD_PORT = /^Refused CONNECT method on port (\d{1,5})$/;
/** Most entries kept; a setup that makes more is summarised by the first ones. */
const MAX_ENTRIES = 2_000;

interface Pending {
  entry: EgressEntry;
  port: number | undefined;
  decided: boolean;
}

/** Reads tinyproxy's log text into egress entries, in request order (at most 2 000). */
export function parseEgressLog(text: string): EgressEntry[] {
  const requests: Pending[] = [];
  for (const raw of text.split("\n")) {
    const message = LINE.exec(raw.slice(0, 8192))?.[1];
    if (message === undefined) continue;
    const request = REQUEST.exec(message);
    if (request) {
      if (requests.length >= MAX_ENTRIES) continue;
      const [, method, target] = request;
      const { host, port } = targetOf(method!, target!);
      requests.push({ entry: { host, method: method!, allowed: true, bytes: null }, port, decided: false });
      continue;
    }
    const filtered = FILTERED.exec(message);
    if (filtered) {
      const host = filtered[1]!.toLowerCase();
      refuseLatest(requests, (p) => p.entry.host === host);
      continue;
    }
    const filteredUrl = FILTERED_URL.exec(message);
    if (filteredUrl) {
      const url = filteredUrl[1]!;
      const { host } = targetOf(url.includes("://") ? "GET" : "CONNECT", url);
      refuseLatest(requests, (p) => p.entry.host === host);
      continue;
    }
    const badPort = BAD_PORT.exec(message);
    if (badPort) refuseLatest(requests, (p) => p.entry.method === "CONNECT" && p.port === Number(badPort[1]));
  }
  return requests.map((p) => p.entry);
}

function refuseLatest(requests: Pending[], fits: (p: Pending) => boolean): void {
  for (let i = requests.length - 1; i >= 0; i--) {
    const pending = requests[i]!;
    if (pending.decided || !fits(pending)) continue;
    pending.entry.allowed = false;
    pending.decided = true;
    return;
  }
}

/** The host (lower case, no credentials, no port) and port a request line asks for. */
function targetOf(method: string, target: string): { host: string; port: number | undefined } {
  if (method === "CONNECT") {
    const match = /^(?:[^@/]*@)?(\[[^\]]*\]|[^:/]+)(?::(\d{1,5}))?$/.exec(target);
    return { host: (match?.[1] ?? "").toLowerCase(), port: match?.[2] ? Number(match[2]) : undefined };
  }
  try {
    const url = new URL(target);
    return { host: url.hostname.toLowerCase(), port: url.port ? Number(url.port) : undefined };
  } catch {
    // A request line that is not an absolute URL (a request to the proxy itself).
    return { host: "", port: undefined };
  }
}
