import { createHash } from "node:crypto";
import { LOG_ENTRY_FIELD } from "@mcp-gateway/core";
import type { Redis } from "ioredis";

// Appends a batch of entries to one stream and trims it, in one command (one slot: the stream, and for a
// tenant's stream its tenant record). Each entry's id is the gateway's clock (`<ms>-*`, Redis >= 7), so
// time filters, paging and retention follow the same clock as the rest of the gateway; when another
// instance's clock already wrote a later id, `*` takes the next id instead (the record reads a few ms late).
// Trimming: MAXLEN ~ caps the count (whole nodes only, so it costs almost nothing), MINID ~ drops whole
// nodes older than the retention, and PEXPIRE removes an idle stream once its newest record is older than
// the retention. Readers skip anything older than the retention, so `~` never shows.
// A tenant's stream is written only while the tenant record exists: a batch landing just after the tenant
// was deleted would otherwise bring one of its keys back.
// KEYS: stream[, tenant record]. ARGV: maxlen, minid ms, ttl ms, then ms, value, ms, value, ...
const APPEND_LOG = `
if #KEYS > 1 and redis.call("EXISTS", KEYS[2]) == 0 then return 0 end
local written = 0
for i = 4, #ARGV, 2 do
  local id = redis.pcall("XADD", KEYS[1], "MAXLEN", "~", ARGV[1], ARGV[i] .. "-*", "${LOG_ENTRY_FIELD}", ARGV[i + 1])
  if type(id) == "table" and id.err then
    redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[1], "*", "${LOG_ENTRY_FIELD}", ARGV[i + 1])
  end
  written = written + 1
end
redis.call("XTRIM", KEYS[1], "MINID", "~", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return written`;
const APPEND_LOG_SHA = createHash("sha1").update(APPEND_LOG).digest("hex");

/** How a log stream is kept: at most `maxLen` entries (approximately), none older than `minIdMs`, idle ones expire. */
export interface LogTrim {
  maxLen: number;
  minIdMs: number;
  ttlMs: number;
}

/** One entry to append: when (epoch ms, becomes its id) and its encoded record. */
export interface LogAppend {
  atMs: number;
  value: string;
}

/**
 * Appends entries in order. With `ownerKey` (the tenant record) nothing is written once that key is gone.
 * Resolves with how many entries were written (0 when the owner is gone).
 */
export async function appendLogEntries(
  redis: Redis,
  key: string,
  entries: readonly LogAppend[],
  trim: LogTrim,
  ownerKey?: string,
): Promise<number> {
  const keyArgs = ownerKey === undefined ? [key] : [key, ownerKey];
  const args: (string | number)[] = [...keyArgs, trim.maxLen, trim.minIdMs, trim.ttlMs];
  for (const entry of entries) args.push(entry.atMs, entry.value);
  let written: unknown;
  try {
    written = await redis.evalsha(APPEND_LOG_SHA, keyArgs.length, ...args);
  } catch (error) {
    // The first append after a Redis restart (or on a new node) loads the script once.
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    written = await redis.eval(APPEND_LOG, keyArgs.length, ...args);
  }
  return Number(written);
}

export interface LogPageQuery<T> {
  /** Continue strictly before this stream id (the cursor), else from the newest entry. */
  before?: string | undefined;
  /** Newest and oldest times to include, in epoch ms, both inclusive. */
  toMs?: number | undefined;
  fromMs: number;
  limit: number;
  /** At most this many entries are read, matching or not; the page then ends early with a cursor. */
  scanMax: number;
  /** Reads an entry's fields; undefined skips it. */
  decode(fields: readonly string[]): T | undefined;
  matches(record: T): boolean;
}

export interface LogPage<T> {
  entries: [id: string, record: T][];
  /** The stream id to continue before, or null when the stream has nothing older in range. */
  next: string | null;
}

const SCAN_BATCH = 250;

/** Reads matching entries newest first, scanning at most `scanMax` entries. */
export async function readLogPage<T>(redis: Redis, key: string, query: LogPageQuery<T>): Promise<LogPage<T>> {
  let end =
    query.before !== undefined ? `(${query.before}` : query.toMs !== undefined ? String(query.toMs) : "+";
  const start = String(Math.max(0, query.fromMs));
  const entries: [string, T][] = [];
  let scanned = 0;
  let lastSeen: string | null = null;
  for (;;) {
    const count = Math.min(SCAN_BATCH, query.scanMax - scanned);
    if (count <= 0) return { entries, next: lastSeen };
    const batch = (await redis.xrevrange(key, end, start, "COUNT", count)) as [string, string[]][];
    for (let i = 0; i < batch.length; i++) {
      const [id, fields] = batch[i] as [string, string[]];
      scanned++;
      lastSeen = id;
      const record = query.decode(fields);
      if (record !== undefined && query.matches(record)) {
        entries.push([id, record]);
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
