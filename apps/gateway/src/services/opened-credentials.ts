import { LIMITS } from "@mcp-gateway/core";
import type { AccountRecord } from "@mcp-gateway/store";
import { openCredentials } from "./accounts.service.js";
import { setBounded } from "./bounded-map.js";
import type { ServiceContext } from "./service-context.js";

type Credentials = Readonly<Record<string, string>>;

// Per key ring (one per running gateway; tests run several in one process), then per sealed value.
const openedByRing = new WeakMap<object, Map<string, Credentials>>();

/**
 * `openCredentials`, remembered: an account's sealed credentials are opened (AES-256-GCM) once per instance
 * instead of on every MCP request. The entry is found by the account and the sealed value itself, so changed
 * credentials (a new value, a new IV) are opened afresh, and a deleted account is refused before this runs
 * (its record is read on every request). Only values that opened are kept, frozen, at most
 * LIMITS.openedCredentialsCached per instance (the oldest dropped first). The plaintext was already in memory
 * for every tool call; this keeps it there between calls, never in storage or logs.
 */
export function openCredentialsRemembered(
  ctx: ServiceContext,
  account: AccountRecord,
): Credentials | undefined {
  const ring = ctx.config.keys.credentialKeys;
  let opened = openedByRing.get(ring);
  if (opened === undefined) {
    opened = new Map();
    openedByRing.set(ring, opened);
  }
  const key = `${account.tenant_id}\n${account.id}\n${account.sealed_credentials}`;
  const remembered = opened.get(key);
  if (remembered !== undefined) return remembered;
  const credentials = openCredentials(ctx, account);
  if (credentials === undefined) return undefined;
  const frozen = Object.freeze(credentials);
  setBounded(opened, key, frozen, LIMITS.openedCredentialsCached);
  return frozen;
}
