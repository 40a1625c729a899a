/**
 * The egress proxy's access log, read into the job's egress log: one {@link EgressEntry} per
 * request the setup container sent through the proxy, with its host, method (`CONNECT` for an
 * HTTPS tunnel), whether the proxy let it through, and the bytes it relayed. The writer is squid,
 * with the `egress` log format of `images/python-sandbox/egress/squid.conf`
 * (`%ts.%03tu %tr %>rm %>rd %>rP %Ss/%>Hs %>st %<st`); its lines look like
 *
 * ```
 * 1764534731.936 12 GET index 8080 TCP_MISS/200 254 1841
 * 1764534732.101 3 GET other 8080 TCP_DENIED/403 249 3902
 * 1764534733.514 1204 CONNECT pypi.org 443 TCP_TUNNEL/200 5120 730112
 * 1764534733.600 0 - - - NONE_NONE/400 79 3503
 * ```
 *
 * Squid writes a line when the transaction ends (a tunnel when it closes), with the time it started
 * and how long it took; entries are put back in start order. `bytes` is what crossed the proxy for
 * that request both ways: the request as received from the setup container plus the reply sent back
 * to it, headers included (for a tunnel, every byte relayed each way; for a refusal, squid's error
 * page). A request is allowed when squid forwarded it (a `TCP_` result other than `TCP_DENIED…`); a
 * refusal, or a request squid answered itself (`NONE…`: malformed, not a proxy request; its method
 * and host are `-`, read as method `-` and host ""), is not.
 * The log is untrusted text from a container: each line is read on its own, bounded, and nothing in
 * it is executed or echoed beyond the host name; it holds no URL path or credentials.
 */
import type { EgressEntry } from "../contracts/environment.ts";

const LINE =
  /^(\d{1,12})\.(\d{3}) (\d{1,10}) ([A-Z][A-Z_-]{0,31}|-) (\S{1,255}) (?:\d{1,5}|-) ([A-Z_]{1,64})\/\d{3} (\d{1,15}|-) (\d{1,15}|-)$/;
/** The host squid logs: a name, an IPv4 address or a bracketed IPv6 address; `-` when there is none. */
const HOST = /^(?:[a-z0-9_.-]{1,253}|\[[0-9a-f:.]{2,45}\])$/;
/** Most entries kept; a setup that makes more is summarised by the first ones (in start order). */
const MAX_ENTRIES = 2_000;

/** Reads squid's access log text into egress entries, in the order the requests started (at most 2 000). */
export function parseEgressLog(text: string): EgressEntry[] {
  const read: { startMs: number; entry: EgressEntry }[] = [];
  for (const raw of text.split("\n")) {
    if (raw.length > 512) continue;
    const match = LINE.exec(raw);
    if (!match) continue;
    const [, seconds, millis, elapsed, method, rawHost, result, received, sent] = match;
    const host = rawHost!.toLowerCase();
    read.push({
      startMs: Number(seconds) * 1000 + Number(millis) - Number(elapsed),
      entry: {
        host: host !== "-" && HOST.test(host) ? host : "",
        method: method!,
        allowed: result!.startsWith("TCP_") && !result!.startsWith("TCP_DENIED"),
        bytes: received === "-" || sent === "-" ? null : Number(received) + Number(sent),
      },
    });
  }
  // A stable sort: requests that started in the same millisecond keep the order they ended in.
  return read.sort((a, b) => a.startMs - b.startMs).slice(0, MAX_ENTRIES).map((r) => r.entry);
}
