import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { OAUTH_LIMITS } from "@mcp-gateway/core";
import ipaddr from "ipaddr.js";
import { Agent, request } from "undici";

/** Why a Client ID Metadata Document could not be fetched (the client sees one message per reason). */
export type FetchFailure =
  | "private_address"
  | "unreachable"
  | "timeout"
  | "not_200"
  | "too_large"
  | "not_json";

export type FetchedDocument =
  | { ok: true; json: unknown; text: string; maxAgeMs: number | undefined }
  | { ok: false; reason: FetchFailure };

/** The deprecated IPv4-compatible IPv6 block (RFC 4291 §2.5.5.1). */
const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");

/** True for an address a fetch may reach: ordinary unicast, never loopback, private, link-local or reserved. */
export function isPublicAddress(address: string): boolean {
  try {
    // process() turns an IPv4-mapped IPv6 address into the IPv4 one, so ::ffff:127.0.0.1 counts as loopback.
    const parsed = ipaddr.process(address);
    // ipaddr.js has no range name for the IPv4-compatible block and calls it unicast, but ::7f00:1 is
    // 127.0.0.1 to some stacks, so the whole block is refused.
    if (parsed.kind() === "ipv6" && parsed.match(IPV4_COMPATIBLE)) return false;
    return parsed.range() === "unicast";
  } catch {
    return false;
  }
}

class PrivateAddressError extends Error {
  override readonly name = "PrivateAddressError";
}

/**
 * A DNS lookup for the connection that refuses the whole name when any address it resolves to is not public
 * (CIMD draft "Security Considerations": SSRF). The connection then uses the very addresses checked here, so
 * a name that answers differently a moment later (DNS rebinding) gains nothing.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      if (list.length === 0) return callback(new Error(`${hostname} has no address`), []);
      if (!allowPrivate && !list.every((a) => isPublicAddress(a.address))) {
        return callback(new PrivateAddressError(`${hostname} resolves to a non-public address`), []);
      }
      const [first] = list;
      if ((options as { all?: boolean }).all || first === undefined) {
        return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      }
      callback(null, first.address, first.family);
    });
  };
}

/** Options of a fetcher; `allowPrivate` is for development and tests only (the config refuses it in production). */
export interface MetadataFetchOptions {
  allowPrivate: boolean;
  /** An extra CA (PEM) to trust besides the system's. */
  ca?: string | undefined;
}

/** A fetcher of Client ID Metadata Documents with its own connection pool; close it with the app. */
export interface MetadataDocumentFetcher {
  fetch(url: string): Promise<FetchedDocument>;
  close(): Promise<void>;
}

/**
 * Fetches documents the way the CIMD draft asks: https only (the caller checked the URL's shape), no redirects
 * followed, 200 only, JSON only, at most OAUTH_LIMITS.metadataDocumentBytes, within
 * OAUTH_LIMITS.metadataDocumentTimeoutMs, and never from a private, loopback or link-local address.
 */
export function createMetadataDocumentFetcher(options: MetadataFetchOptions): MetadataDocumentFetcher {
  const timeout = OAUTH_LIMITS.metadataDocumentTimeoutMs;
  const agent = new Agent({
    connect: {
      lookup: guardedLookup(options.allowPrivate),
      timeout,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connections: 16,
  });
  return {
    async fetch(url) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
      // An address literal is connected to without a lookup, so it is checked here.
      if (isIP(host) !== 0 && !options.allowPrivate && !isPublicAddress(host)) {
        return { ok: false, reason: "private_address" };
      }
      const signal = AbortSignal.timeout(timeout);
      try {
        const response = await request(url, {
          dispatcher: agent,
          signal,
          headers: { accept: "application/json", "user-agent": "mcp-gateway (client metadata fetch)" },
        });
        if (response.statusCode !== 200) {
          await response.body.dump();
          return { ok: false, reason: "not_200" };
        }
        const length = Number(response.headers["content-length"] ?? "0");
        if (length > OAUTH_LIMITS.metadataDocumentBytes) {
          await response.body.dump();
          return { ok: false, reason: "too_large" };
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          size += (chunk as Buffer).length;
          if (size > OAUTH_LIMITS.metadataDocumentBytes) {
            response.body.destroy();
            return { ok: false, reason: "too_large" };
          }
          chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          return {
            ok: true,
            json: JSON.parse(text),
            text,
            maxAgeMs: maxAgeOf(response.headers["cache-control"]),
          };
        } catch {
          return { ok: false, reason: "not_json" };
        }
      } catch (error) {
        if (hasCause(error, PrivateAddressError)) return { ok: false, reason: "private_address" };
        if (signal.aborted) return { ok: false, reason: "timeout" };
        return { ok: false, reason: "unreachable" };
      }
    },
    close: () => agent.close(),
  };
}

function hasCause(error: unknown, kind: typeof PrivateAddressError): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof kind) return true;
  }
  return false;
}

/** The max-age a Cache-Control header allows, in ms; undefined without one; 0 for no-store/no-cache. */
function maxAgeOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value === undefined) return undefined;
  if (/\bno-(store|cache)\b/i.test(value)) return 0;
  const match = /\bmax-age=(\d{1,9})\b/i.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1_000;
}
