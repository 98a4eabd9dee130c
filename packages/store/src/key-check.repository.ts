import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/** The key-check record: field -> value (see docs/storage-schema.md, `meta:key-check`). */
export type KeyCheckRecord = Readonly<Record<string, string>>;

// Writes the whole record when there is none (this instance is the first) and answers an empty list; else
// changes nothing and answers the record. One step, so of two first instances starting together one writes
// and the other is checked against what it wrote. KEYS: record. ARGV: field, value, field, value…
const CLAIM_KEY_CHECK = `
if redis.call("EXISTS", KEYS[1]) == 1 then return redis.call("HGETALL", KEYS[1]) end
for i = 1, #ARGV, 2 do redis.call("HSET", KEYS[1], ARGV[i], ARGV[i + 1]) end
return {}`;

/** Writes `fields` as the record if there is none (then answers undefined); else answers the record as it is. */
export async function claimKeyCheck(
  redis: Redis,
  fields: KeyCheckRecord,
): Promise<KeyCheckRecord | undefined> {
  const reply = (await redis.eval(
    CLAIM_KEY_CHECK,
    1,
    keys.keyCheck(),
    ...Object.entries(fields).flat(),
  )) as string[];
  return reply.length === 0 ? undefined : pairsToRecord(reply);
}

function pairsToRecord(reply: readonly string[]): KeyCheckRecord {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) record[reply[i] as string] = reply[i + 1] as string;
  return record;
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
  return pairsToRecord((await redis.eval(MERGE_KEY_CHECK, 1, keys.keyCheck(), ...flat)) as string[]);
}
