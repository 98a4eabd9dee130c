import { LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import { setBounded } from "./bounded-map.js";
import type { ServiceContext } from "./service-context.js";

/** What was derived from one read of a server and its account, with the JSON and claims it came from. */
export interface ResolvedEntry<T> {
  claims: McpTokenClaims;
  serverJson: string;
  accountJson: string;
  value: T;
}

// Per service context (one per running gateway; tests run several in one process), then per server.
const byContext = new WeakMap<ServiceContext, Map<string, ResolvedEntry<unknown>>>();

function entriesOf(ctx: ServiceContext): Map<string, ResolvedEntry<unknown>> {
  let entries = byContext.get(ctx);
  if (entries === undefined) {
    entries = new Map();
    byContext.set(ctx, entries);
  }
  return entries;
}

/**
 * What was derived last time from a server's records (parsed records, opened credentials, toolset), when
 * the JSON just read is character for character what was read then, under the same claims. The records
 * are still read from Redis on every request, so a revoked or edited server is seen on the very next one;
 * only the parsing and deriving for an unchanged record is skipped.
 */
export function rememberedResolution<T>(
  ctx: ServiceContext,
  serverKey: string,
  claims: McpTokenClaims,
  serverJson: string,
  accountJson: string,
): T | undefined {
  const entry = entriesOf(ctx).get(serverKey);
  if (entry === undefined) return undefined;
  const same =
    entry.claims === claims && entry.serverJson === serverJson && entry.accountJson === accountJson;
  return same ? (entry.value as T) : undefined;
}

/** Keeps what was derived for a server, at most LIMITS.mcpResolvedServersCached servers (oldest dropped). */
export function rememberResolution<T>(ctx: ServiceContext, serverKey: string, entry: ResolvedEntry<T>): void {
  setBounded(entriesOf(ctx), serverKey, entry, LIMITS.mcpResolvedServersCached);
}
