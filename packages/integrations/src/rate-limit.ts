/**
 * Rate-limit normalization. Upstreams announce limits in several dialects; the gateway passes on one:
 * ratelimit-limit / ratelimit-remaining / ratelimit-reset (delta seconds, the form Truto emits) plus the
 * draft-10 RateLimit and RateLimit-Policy structured fields, and Retry-After when the upstream sent one.
 *
 * Dialects read: X-RateLimit-Limit/-Remaining/-Reset (reset as delta seconds or an epoch timestamp),
 * RateLimit-Limit/-Remaining/-Reset (IETF drafts up to -06), RateLimit and RateLimit-Policy (drafts -07
 * and -10), and Retry-After (delta seconds or an HTTP date).
 */

/** Response headers as Node and undici give them: lower-case names, string or repeated values. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RateLimitInfo {
  /** Requests allowed in the window. */
  readonly limit?: number;
  /** Requests left in the window. */
  readonly remaining?: number;
  /** Seconds until the window resets (delta, never an epoch). */
  readonly resetSeconds?: number;
  /** Length of the window in seconds, when the upstream says. */
  readonly windowSeconds?: number;
  /** Seconds to wait before retrying, from Retry-After. */
  readonly retryAfterSeconds?: number;
  /** The upstream's policy name (draft-10), else "default". */
  readonly policy: string;
}

// Values above this are timestamps, not deltas: no window lasts 30 years.
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;
const EPOCH_MILLISECONDS_THRESHOLD = 1_000_000_000_000;

/** Reads whatever rate-limit headers the upstream sent; null when it sent none. */
export function normalizeRateLimit(headers: HeaderBag, nowMs: number = Date.now()): RateLimitInfo | null {
  const read = (name: string): string | undefined => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : value.join(", ");
  };
  const info: {
    limit?: number;
    remaining?: number;
    resetSeconds?: number;
    windowSeconds?: number;
    retryAfterSeconds?: number;
    policy: string;
  } = { policy: "default" };

  // The draft-10 pair is the most precise, so it is read first and the older forms only fill gaps.
  const policy = read("ratelimit-policy");
  if (policy !== undefined) {
    const item = firstListItem(policy);
    if (item !== undefined) {
      if (item.name !== undefined) info.policy = item.name;
      const quota = item.params.q ?? (item.bare !== undefined ? item.bare : undefined);
      if (quota !== undefined) info.limit = quota;
      if (item.params.w !== undefined) info.windowSeconds = item.params.w;
    }
  }
  const combined = read("ratelimit");
  if (combined !== undefined) {
    const item = firstListItem(combined);
    if (item !== undefined) {
      if (item.name !== undefined && policy === undefined) info.policy = item.name;
      const remaining = item.params.r ?? item.params.remaining;
      const reset = item.params.t ?? item.params.reset;
      if (remaining !== undefined) info.remaining = remaining;
      if (reset !== undefined) info.resetSeconds = reset;
      if (item.params.limit !== undefined && info.limit === undefined) info.limit = item.params.limit;
    }
  }
  for (const prefix of ["ratelimit-", "x-ratelimit-"]) {
    const limit = leadingInteger(read(`${prefix}limit`));
    const remaining = leadingInteger(read(`${prefix}remaining`));
    const reset = leadingNumber(read(`${prefix}reset`));
    if (info.limit === undefined && limit !== undefined) info.limit = limit;
    if (info.remaining === undefined && remaining !== undefined) info.remaining = remaining;
    if (info.resetSeconds === undefined && reset !== undefined)
      info.resetSeconds = toDeltaSeconds(reset, nowMs);
  }
  const retryAfter = parseRetryAfter(read("retry-after"), nowMs);
  if (retryAfter !== undefined) info.retryAfterSeconds = retryAfter;
  // Without a reset time, Retry-After is the best estimate of when the window opens again.
  if (info.resetSeconds === undefined && retryAfter !== undefined) info.resetSeconds = retryAfter;

  const known = ["limit", "remaining", "resetSeconds", "retryAfterSeconds"].some((key) => key in info);
  return known ? info : null;
}

/** The normalized response headers for a rate-limit reading (empty when there is nothing to say). */
export function rateLimitHeaders(info: RateLimitInfo | null): Record<string, string> {
  if (info === null) return {};
  const headers: Record<string, string> = {};
  if (info.limit !== undefined) headers["ratelimit-limit"] = String(info.limit);
  if (info.remaining !== undefined) headers["ratelimit-remaining"] = String(info.remaining);
  if (info.resetSeconds !== undefined) headers["ratelimit-reset"] = String(info.resetSeconds);
  const name = `"${info.policy.replace(/["\\]/g, "")}"`;
  if (info.limit !== undefined) {
    headers["ratelimit-policy"] =
      `${name};q=${info.limit}${info.windowSeconds !== undefined ? `;w=${info.windowSeconds}` : ""}`;
  }
  if (info.remaining !== undefined) {
    headers.ratelimit = `${name};r=${info.remaining}${info.resetSeconds !== undefined ? `;t=${info.resetSeconds}` : ""}`;
  }
  if (info.retryAfterSeconds !== undefined) headers["retry-after"] = String(info.retryAfterSeconds);
  return headers;
}

interface ListItem {
  readonly name?: string;
  /** A bare leading integer (the -06 form "100;w=10"). */
  readonly bare?: number;
  readonly params: Readonly<Record<string, number>>;
}

/**
 * Reads the first member of a structured-field list well enough for rate-limit fields:
 * `"name";q=100;w=60`, `100;w=10`, or the draft-07 dictionary `limit=100, remaining=50, reset=30`.
 */
function firstListItem(value: string): ListItem | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  // Draft-07 wrote a dictionary whose members are separated by commas; fold it into one parameter set.
  if (/^[a-z]+=/.test(trimmed) && trimmed.includes(",")) {
    return { params: parseParams(trimmed.split(",").map((part) => part.trim())) };
  }
  const first = splitTopLevel(trimmed, ",")[0] ?? "";
  const [head = "", ...rest] = splitTopLevel(first.trim(), ";").map((part) => part.trim());
  const params = parseParams(rest);
  if (head.startsWith('"')) return { name: head.slice(1, head.lastIndexOf('"')), params };
  if (/^\d+$/.test(head)) return { bare: Number(head), params };
  if (/^[a-z][a-z0-9_-]*$/i.test(head) && !head.includes("=")) return { name: head, params };
  return { params: parseParams([head, ...rest]) };
}

function parseParams(parts: readonly string[]): Record<string, number> {
  const params: Record<string, number> = {};
  for (const part of parts) {
    const [key, raw] = part.split("=", 2).map((piece) => piece.trim());
    if (key === undefined || raw === undefined) continue;
    const number = Number(raw);
    if (Number.isFinite(number)) params[key.toLowerCase()] = number;
  }
  return params;
}

/** Splits on a separator outside double quotes. */
function splitTopLevel(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function leadingInteger(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^\d+/);
  return match ? Number(match[0]) : undefined;
}

function leadingNumber(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^\d+(\.\d+)?/);
  return match ? Number(match[0]) : undefined;
}

/** A reset value may be a delta or an epoch timestamp (seconds or milliseconds); always answer a delta. */
function toDeltaSeconds(value: number, nowMs: number): number {
  if (value >= EPOCH_MILLISECONDS_THRESHOLD) return Math.max(0, Math.ceil((value - nowMs) / 1000));
  if (value >= EPOCH_SECONDS_THRESHOLD) return Math.max(0, Math.ceil(value - nowMs / 1000));
  return Math.ceil(value);
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}
