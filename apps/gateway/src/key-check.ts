import { createHmac, type KeyObject } from "node:crypto";
import type { KeyMaterial } from "@mcp-gateway/core";
import { claimKeyCheck, type KeyCheckRecord, keys, mergeKeyCheck } from "@mcp-gateway/store";
import type { Redis } from "ioredis";

// The fixed string each key signs. Its HMAC proves which key an instance holds without revealing it.
const KEY_CHECK_MESSAGE = "mcp-gateway key-check v1";

const PUBLIC_URL = "public_url";
const SECRET_HASH = "secret_hash_key";
const MCP_KEY = "mcp_token_key:";
const CREDENTIAL_KEY = "credential_key:";

function fingerprint(key: KeyObject, field: string): string {
  return createHmac("sha256", key).update(`${KEY_CHECK_MESSAGE}|${field}`).digest("base64url");
}

/**
 * What this instance would write into the key-check record: PUBLIC_URL when set explicitly (a URL derived
 * from HOST and PORT belongs to one local instance) and one HMAC per key.
 */
export function keyCheckFields(material: KeyMaterial, publicUrl: string | undefined): KeyCheckRecord {
  const fields: Record<string, string> = publicUrl === undefined ? {} : { [PUBLIC_URL]: publicUrl };
  fields[SECRET_HASH] = fingerprint(material.secretHashKey, SECRET_HASH);
  for (const { kid, key } of material.mcpTokenKeys) fields[MCP_KEY + kid] = fingerprint(key, MCP_KEY + kid);
  for (const { kid, key } of material.credentialKeys) {
    fields[CREDENTIAL_KEY + kid] = fingerprint(key, CREDENTIAL_KEY + kid);
  }
  return fields;
}

/**
 * Compares this instance's fields with the record the instances already using this Redis wrote. Refuses
 * (with one message per problem, naming the variable) a different PUBLIC_URL or SECRET_HASH_KEY, a key id
 * whose key differs, and a signing or sealing key the others do not hold (they could not read what this
 * instance writes). `stored` empty = the first instance.
 */
export function compareKeyCheck(
  mine: KeyCheckRecord,
  stored: KeyCheckRecord,
  material: KeyMaterial,
): string[] {
  const problems: string[] = [];
  if (stored[PUBLIC_URL] !== undefined && stored[PUBLIC_URL] !== mine[PUBLIC_URL]) {
    problems.push(
      `PUBLIC_URL is ${mine[PUBLIC_URL] ?? "unset"} here but ${stored[PUBLIC_URL]} on the instances already using this Redis: ` +
        "minted URLs carry it as issuer and audience, so every instance must share it",
    );
  }
  if (stored[SECRET_HASH] !== undefined && stored[SECRET_HASH] !== mine[SECRET_HASH]) {
    problems.push(
      "SECRET_HASH_KEY differs from the one the instances already using this Redis hold: " +
        "API tokens and console sessions hashed by one could not be found by the other",
    );
  }
  for (const [variable, prefix] of [
    ["MCP_TOKEN_KEYS", MCP_KEY],
    ["CREDENTIAL_KEYS", CREDENTIAL_KEY],
  ] as const) {
    for (const [field, value] of Object.entries(mine)) {
      if (!field.startsWith(prefix)) continue;
      const theirs = stored[field];
      if (theirs !== undefined && theirs !== value) {
        problems.push(
          `${variable}: the key with id "${field.slice(prefix.length)}" differs from the key of that id ` +
            "held by the instances already using this Redis: give a new key a new id",
        );
      }
    }
    const active = prefix === MCP_KEY ? material.mcpTokenKeys[0].kid : material.credentialKeys[0].kid;
    const othersHaveAny = Object.keys(stored).some((field) => field.startsWith(prefix));
    if (othersHaveAny && stored[prefix + active] === undefined) {
      const use = prefix === MCP_KEY ? "signs URLs" : "seals credentials";
      problems.push(
        `${variable}: this instance ${use} with key "${active}", which the instances already using this Redis ` +
          "do not hold: add it to their list as a second key first (they then accept it), then put it first",
      );
    }
  }
  return problems;
}

/**
 * Checks at start that this instance's key material and PUBLIC_URL match what the shared Redis already
 * holds, and records its own keys. Throws a message naming the variables instead of letting an instance
 * mint URLs and tokens the others cannot read.
 */
export async function checkSharedKeyMaterial(
  redis: Redis,
  material: KeyMaterial,
  publicUrl: string | undefined,
  keyPrefix: string,
): Promise<void> {
  const mine = keyCheckFields(material, publicUrl);
  const before = await claimKeyCheck(redis, mine);
  if (before === undefined) return; // the first instance: its record is now the reference
  let problems = compareKeyCheck(mine, before, material);
  if (problems.length === 0) {
    // Another instance may have started in between: compare with what the merge left.
    problems = compareKeyCheck(mine, await mergeKeyCheck(redis, mine), material);
  }
  if (problems.length > 0) {
    throw new Error(
      `this instance's configuration does not match the other instances sharing this Redis:\n  - ${problems.join("\n  - ")}\n` +
        `(if the old values are meant to go, delete the key "${keyPrefix}${keys.keyCheck()}" and start again)`,
    );
  }
}
