import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/** The key-check record: field -> value (see docs/storage-schema.md, `meta:key-check`). */
export type KeyCheckRecord = Readonly<Record<string, string>>;

/** The record as every instance so far has written it; empty when no instance has. */
export async function readKeyCheck(redis: Redis): Promise<KeyCheckRecord> {
  return redis.hgetall(keys.keyCheck());
}

// Adds the fields this instance knows and the record lacks, never overwriting one, and answers the whole
// record, in one step: of two instances starting together with different keys, one writes and the other
// reads what it wrote. KEYS: record. ARGV: field, value, field, value…
const MERGE_KEY_CHECK = `
for i = 1, #ARGV, 2 do redis.call("HSETNX", KEYS[1], ARGV[i], ARGV[i + 1]) end
return redis.call("HGETALL", KEYS[1])`;

/** Adds missing fields (never overwriting) and returns the resulting record. */
export async function mergeKeyCheck(redis: Redis, fields: KeyCheckRecord): Promise<KeyCheckRecord> {
  const flat = Object.entries(fields).flat();
  const reply = (await redis.eval(MERGE_KEY_CHECK, 1, keys.keyCheck(), ...flat)) as string[];
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) record[reply[i] as string] = reply[i + 1] as string;
  return record;
}
