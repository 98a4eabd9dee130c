import type { Redis } from "ioredis";

/** One key as stored: its type and every value it holds, in a form that compares with toEqual. */
export interface StoredKey {
  type: string;
  /** string: the value; hash: field -> value; zset: [member, score][]; set/list: members; stream: [id, fields][]. */
  value: unknown;
  /** true when the key has a TTL (PXAT/PEXPIRE), false when it lives forever. */
  expires: boolean;
}

/** Reads one key whatever its type. */
async function readKey(client: Redis, key: string): Promise<StoredKey | undefined> {
  const type = await client.type(key);
  const expires = (await client.pttl(key)) >= 0;
  switch (type) {
    case "none":
      return undefined;
    case "string":
      return { type, value: await client.get(key), expires };
    case "hash":
      return { type, value: await client.hgetall(key), expires };
    case "zset": {
      const flat = await client.zrange(key, 0, -1, "WITHSCORES");
      const pairs: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] ?? "", flat[i + 1] ?? ""]);
      return { type, value: pairs, expires };
    }
    case "set":
      return { type, value: (await client.smembers(key)).sort(), expires };
    case "list":
      return { type, value: await client.lrange(key, 0, -1), expires };
    case "stream":
      return { type, value: await client.xrange(key, "-", "+"), expires };
    default:
      throw new Error(`redis-snapshot: key ${key} has type ${type}, which this helper does not read yet`);
  }
}

/** Keys of the request log and the audit trail (`…:log:…`). */
export const isLogStream = (key: string): boolean => key.includes(":log:");

/** Every key (the default filter of snapshotNamespace leaves the log streams out). */
export const everyKey = (): boolean => true;

/**
 * Every key under the namespace with its full contents, sorted by key name. Two snapshots compare with
 * toEqual, so a test can prove a refused request wrote nothing (no half-written records). By default the
 * log streams are left out: records are written up to LIMITS.logFlushMs after the answer of an earlier,
 * successful request, so they may land between two snapshots. Pass `everyKey` to include them.
 */
export async function snapshotNamespace(
  redis: { client: Redis; keys(): Promise<string[]> },
  filter: (key: string) => boolean = (key) => !isLogStream(key),
): Promise<Record<string, StoredKey>> {
  const names = (await redis.keys()).filter(filter).sort();
  const snapshot: Record<string, StoredKey> = {};
  for (const name of names) {
    const stored = await readKey(redis.client, name);
    if (stored !== undefined) snapshot[name] = stored;
  }
  return snapshot;
}

/** Every string the namespace holds: key names, values, hash fields, set and zset members. */
export function storedStrings(snapshot: Record<string, StoredKey>): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        out.push(k);
        walk(v);
      }
    }
  };
  for (const [key, stored] of Object.entries(snapshot)) {
    out.push(key);
    walk(stored.value);
  }
  return out;
}
