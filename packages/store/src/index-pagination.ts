import type { Redis } from "ioredis";

// Listing indexes are sorted sets with every score 0, so members sort by their bytes:
// `<created_at in ms, zero-padded to 13 digits>:<id>` lists oldest first with a stable tie-break,
// and a cursor is simply the last member a page returned (ZRANGE BYLEX, exclusive start).

/** The index member for a record created at `createdAtMs`. */
export function indexMember(createdAtMs: number, id: string): string {
  return `${String(createdAtMs).padStart(13, "0")}:${id}`;
}

/** The record id inside an index member. */
export function idOfMember(member: string): string {
  return member.slice(member.indexOf(":") + 1);
}

/** Encodes a page cursor; opaque to clients. */
export function encodeCursor(member: string): string {
  return Buffer.from(member, "utf8").toString("base64url");
}

/** The cursor a page hands out: of its last member, or null when the index has no more. */
export function nextCursor(last: string | null): string | null {
  return last === null ? null : encodeCursor(last);
}

/** Decodes a cursor, or returns undefined when it is not one this code produced. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const member = Buffer.from(cursor, "base64url").toString("utf8");
  return /^\d{13}:[a-z]{3}_[a-z2-7]{26}$/.test(member) ? member : undefined;
}

export interface IndexPage {
  members: string[];
  /** The member to continue after, or null when the index has no more. */
  last: string | null;
}

/** Reads up to `limit` members after `after` (exclusive), in order. */
export async function readIndexPage(
  redis: Redis,
  indexKey: string,
  after: string | undefined,
  limit: number,
): Promise<IndexPage> {
  const start = after === undefined ? "-" : `(${after}`;
  const members = await redis.zrangebylex(indexKey, start, "+", "LIMIT", 0, limit + 1);
  const hasMore = members.length > limit;
  const page = hasMore ? members.slice(0, limit) : members;
  return { members: page, last: hasMore ? (page[page.length - 1] ?? null) : null };
}
