import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

// Appends one entry and trims its stream, in one command (one slot: the key is the only one touched).
// The entry's id is the gateway's clock (`<ms>-*`, Redis >= 7), so time filters, paging and retention all
// follow the same clock as the rest of the gateway; when another instance's clock already wrote a later id,
// `*` takes the next id instead (the record then reads a few ms late, never lost).
// Trimming: MAXLEN ~ caps the count (whole nodes only, so it costs almost nothing), MINID ~ drops whole
// nodes older than the retention, and PEXPIRE removes an idle stream entirely once its newest record is
// older than the retention. Readers also skip anything older than the retention, so `~` never shows.
// A tenant's stream is written only while the tenant record exists (same slot): a record that lands just
// after the tenant was deleted would otherwise bring one of its keys back.
// KEYS: stream[, tenant record]. ARGV: ms, maxlen, minid ms, ttl ms, field, value, ...
const APPEND_LOG = `
if #KEYS > 1 and redis.call("EXISTS", KEYS[2]) == 0 then return false end
local id = redis.pcall("XADD", KEYS[1], "MAXLEN", "~", ARGV[2], ARGV[1] .. "-*", unpack(ARGV, 5))
if type(id) == "table" and id.err then
  id = redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[2], "*", unpack(ARGV, 5))
end
redis.call("XTRIM", KEYS[1], "MINID", "~", ARGV[3])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
return id`;
const APPEND_LOG_SHA = createHash("sha1").update(APPEND_LOG).digest("hex");

/** How a log stream is kept: at most `maxLen` entries (approximately), none older than `minIdMs`, idle ones expire. */
export interface LogTrim {
  maxLen: number;
  minIdMs: number;
  ttlMs: number;
}

/**
 * Appends one entry (`fields` = field, value, ...) at `atMs`. With `ownerKey` (the tenant record) nothing is
 * written once that key is gone. Resolves with the entry's stream id, or null when nothing was written.
 */
export async function appendLogEntry(
  redis: Redis,
  key: string,
  atMs: number,
  fields: readonly string[],
  trim: LogTrim,
  ownerKey?: string,
): Promise<string | null> {
  const keyArgs = ownerKey === undefined ? [key] : [key, ownerKey];
  const args = [
    ...keyArgs,
    String(atMs),
    String(trim.maxLen),
    String(trim.minIdMs),
    String(trim.ttlMs),
    ...fields,
  ];
  let id: unknown;
  try {
    id = await redis.evalsha(APPEND_LOG_SHA, keyArgs.length, ...args);
  } catch (error) {
    // The first append after a Redis restart (or on a new node) loads the script once.
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    id = await redis.eval(APPEND_LOG, keyArgs.length, ...args);
  }
  return typeof id === "string" ? id : null;
}

/** One stored entry: its stream id and its field/value list. */
export type LogEntry = [id: string, fields: string[]];

export interface LogPageQuery {
  /** Continue strictly before this stream id (the cursor), else from the newest entry. */
  before?: string | undefined;
  /** Newest and oldest times to include, in epoch ms, both inclusive. */
  toMs?: number | undefined;
  fromMs: number;
  limit: number;
  /** At most this many entries are read, matching or not; the page then ends early with a cursor. */
  scanMax: number;
  matches(fields: readonly string[]): boolean;
}

export interface LogPage {
  entries: LogEntry[];
  /** The stream id to continue before, or null when the stream has nothing older in range. */
  next: string | null;
}

const SCAN_BATCH = 250;

/** Reads matching entries newest first, scanning at most `scanMax` entries. */
export async function readLogPage(redis: Redis, key: string, query: LogPageQuery): Promise<LogPage> {
  let end =
    query.before !== undefined ? `(${query.before}` : query.toMs !== undefined ? String(query.toMs) : "+";
  const start = String(Math.max(0, query.fromMs));
  const entries: LogEntry[] = [];
  let scanned = 0;
  let lastSeen: string | null = null;
  for (;;) {
    const count = Math.min(SCAN_BATCH, query.scanMax - scanned);
    if (count <= 0) return { entries, next: lastSeen };
    const batch = (await redis.xrevrange(key, end, start, "COUNT", count)) as LogEntry[];
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i] as LogEntry;
      scanned++;
      lastSeen = entry[0];
      if (query.matches(entry[1])) {
        entries.push(entry);
        if (entries.length === query.limit) {
          // Full: there is more only if this batch, or the stream beyond it, holds another entry.
          const more = i < batch.length - 1 || batch.length === count;
          return { entries, next: more ? lastSeen : null };
        }
      }
    }
    if (batch.length < count) return { entries, next: null };
    end = `(${lastSeen}`;
  }
}

/** How many entries a stream holds (tests and operators). */
export async function logStreamLength(redis: Redis, key: string): Promise<number> {
  return redis.xlen(key);
}
