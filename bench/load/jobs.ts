/** The jobs the load worker takes, and what it answers. */
import type { Summary } from "../lib/stats.js";

/** One HTTP request autocannon cycles through (per connection, in order). */
export interface CannonRequest {
  method: "POST";
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A closed-loop run at a fixed concurrency. */
export interface CannonJob {
  kind: "cannon";
  /** Origin of the target, e.g. http://127.0.0.1:1234. */
  url: string;
  requests: CannonRequest[];
  connections: number;
  durationS: number;
  /** The status every response should have (200, or 404 for forged tokens). */
  expectStatus: number;
}

export interface CannonResult {
  responses: number;
  elapsedS: number;
  /** Responses per second over autocannon's measured duration. */
  rps: number;
  /** Response times of responses with the expected status, at microsecond precision. */
  latencyMs: Summary;
  statuses: Record<string, number>;
  /** Responses whose status was not the expected one. */
  unexpected: number;
  errors: number;
  timeouts: number;
  /** autocannon's own figures (latency histogram in whole milliseconds), kept for reference. */
  autocannon: { rps: number; p50: number; p99: number; total: number };
}

/**
 * Latency of two targets under the same conditions: one request at a time, alternating between them
 * (A, B, A, B, ...), so background noise on the machine falls on both alike.
 */
export interface AlternateJob {
  kind: "alternate";
  sides: { origin: string; requests: CannonRequest[] }[];
  durationS: number;
  expectStatus: number;
}

/** Per side, every response time (ms) summarized. */
export interface AlternateResult {
  latencyMs: Summary[];
  pairs: number;
}

/** Mints `count` servers through POST /integrated-account/:id/mcp, spread round-robin over accounts. */
export interface MintJob {
  kind: "mint";
  url: string;
  accounts: { id: string; apiToken: string }[];
  count: number;
  concurrency: number;
  namePrefix: string;
  config: Record<string, unknown>;
  /** Per server (by index); a single entry applies to all. */
  expiresAt: (string | null)[];
  /** How many of the returned tokens to hand back. */
  keepTokens: number;
}

export interface MintResult {
  minted: number;
  elapsedS: number;
  /** Tokens of the first `keepTokens` servers minted, with the index each was minted for. */
  tokens: { index: number; token: string }[];
  failures: string[];
}

/** Probes servers around their expiry. */
export interface ExpiryJob {
  kind: "expiry";
  baseUrl: string;
  targets: { path: string; expiresAt: number }[];
  headers: Record<string, string>;
  body: string;
  /** Probing starts this long before each expiry. */
  leadMs: number;
  /** Stop probing a server still served this long after its expiry (counted as never refused). */
  giveUpAfterMs: number;
  refusedStatus: number;
}

export interface ExpiryOutcome {
  expiresAt: number;
  /** When the first refusal arrived, in ms after expires_at; null when none came in time. */
  firstRefusalAfterMs: number | null;
  /** When that refused request was sent, in ms after expires_at (negative: sent before, answered after). */
  firstRefusalSentAfterMs: number | null;
  /** How long before expires_at the last served request was sent. */
  lastServedBeforeMs: number | null;
  /** Requests sent after expires_at that were still served (each one is a missed check). */
  servedAfterExpiry: number;
  probes: number;
}
