/**
 * 5. Expiry precision: how long after expires_at the first refusal comes, over many servers.
 *
 * The gateway refuses expires_at less than 60 s ahead, and a 5-minute bench cannot wait a minute per batch.
 * So the servers are minted by a second gateway instance whose clock runs 55 s behind (same Redis, keys and
 * public URL, through its real admin API): to it, an expiry 5+ s from real now is 60+ s ahead. The gateway
 * under test keeps the real clock, so what is measured is the gateway as it runs: its own exp check and
 * Redis's PXAT deletion, both on the real timeline. Each server is probed back to back (tools/list, one
 * request in flight) from shortly before its expiry until the first refusal; expiries are spaced so only a
 * few servers are probed at once.
 */
import pino from "pino";
import { createLogger } from "../../apps/gateway/dist/logger.js";
import { configFromEnv, startGateway } from "../../apps/gateway/dist/runtime.js";
import { settings } from "../lib/settings.js";
import { rpc } from "../lib/setup.js";
import { type Summary, summarize } from "../lib/stats.js";
import type { ExpiryJob, ExpiryOutcome, MintJob, MintResult } from "../load/jobs.js";
import type { Bench } from "./types.js";

const CLOCK_BEHIND_MS = 55_000;
/** First expiry this long after minting starts: minting must finish within (this - 5 s). */
const FIRST_EXPIRY_AFTER_MS = 12_000;
const PROBE_LEAD_MS = 30;
const GIVE_UP_AFTER_MS = 2_000;

export interface ExpiryResults {
  servers: number;
  spacingMs: number;
  clockBehindMs: number;
  /** ms after expires_at at which the first refusal arrived, over servers that were refused. */
  firstRefusalAfterMs: Summary;
  /** ms after expires_at at which that refused request had been sent. */
  firstRefusalSentAfterMs: Summary;
  /** ms before expires_at at which the last served request had been sent. */
  lastServedBeforeMs: Summary;
  neverRefused: number;
  /** Requests sent after expires_at that were still served (each one a missed check). */
  servedAfterExpiry: number;
  /** Servers refused before expires_at (a refusal arriving early). */
  refusedEarly: number;
  probes: number;
  outcomes: ExpiryOutcome[];
}

export async function measureExpiry(bench: Bench): Promise<ExpiryResults> {
  const loaded = configFromEnv({ ...bench.smallEnv, PORT: "0" });
  if (!loaded.ok) throw new Error(`minting instance config: ${loaded.errors.join("; ")}`);
  const minter = await startGateway(loaded.config, createLogger("error", pino.destination(2)), {
    clock: { now: () => Date.now() - CLOCK_BEHIND_MS },
  });
  const count = settings.expiryServers;
  const firstExpiry = Date.now() + FIRST_EXPIRY_AFTER_MS;
  const expiries = Array.from(
    { length: count },
    (_, i) => firstExpiry + Math.round(i * settings.expirySpacingMs),
  );
  let minted: MintResult;
  try {
    minted = await bench.load.run<MintResult>({
      kind: "mint",
      url: minter.address,
      accounts: [{ id: bench.seeded.accountId, apiToken: bench.seeded.apiToken }],
      count,
      concurrency: 8,
      namePrefix: "expiry",
      // One tool (search): small answers, so probes are quick and the timing is the gateway's.
      config: { tags: ["search"] },
      expiresAt: expiries.map((ms) => new Date(ms).toISOString()),
      keepTokens: count,
    } satisfies MintJob);
  } finally {
    await minter.close();
  }
  if (minted.minted !== count) {
    throw new Error(`minted ${minted.minted} of ${count} expiring servers: ${minted.failures.join(" | ")}`);
  }
  if (Date.now() > firstExpiry - PROBE_LEAD_MS) {
    throw new Error(
      "minting the expiring servers took longer than the lead time; lower BENCH_EXPIRY_SERVERS",
    );
  }
  const outcomes = await bench.load.run<ExpiryOutcome[]>({
    kind: "expiry",
    baseUrl: bench.gateway.url,
    targets: minted.tokens.map(({ index, token }) => ({
      path: `/mcp/${token}`,
      expiresAt: expiries[index]!,
    })),
    headers: bench.seeded.mcpHeaders,
    body: rpc("tools/list"),
    leadMs: PROBE_LEAD_MS,
    giveUpAfterMs: GIVE_UP_AFTER_MS,
    refusedStatus: 404,
  } satisfies ExpiryJob);
  const refused = outcomes.flatMap((o) => (o.firstRefusalAfterMs === null ? [] : [o.firstRefusalAfterMs]));
  const result: ExpiryResults = {
    servers: count,
    spacingMs: settings.expirySpacingMs,
    clockBehindMs: CLOCK_BEHIND_MS,
    firstRefusalAfterMs: summarize(refused),
    firstRefusalSentAfterMs: summarize(
      outcomes.flatMap((o) => (o.firstRefusalSentAfterMs === null ? [] : [o.firstRefusalSentAfterMs])),
    ),
    lastServedBeforeMs: summarize(
      outcomes.flatMap((o) => (o.lastServedBeforeMs === null ? [] : [o.lastServedBeforeMs])),
    ),
    neverRefused: outcomes.length - refused.length,
    servedAfterExpiry: outcomes.reduce((total, o) => total + o.servedAfterExpiry, 0),
    refusedEarly: refused.filter((ms) => ms < 0).length,
    probes: outcomes.reduce((total, o) => total + o.probes, 0),
    outcomes,
  };
  bench.log(
    `  ${count} servers: first refusal arrived p50 ${result.firstRefusalAfterMs.p50.toFixed(1)} ms, max ${result.firstRefusalAfterMs.max.toFixed(1)} ms after expires_at, never ${result.neverRefused}, served late ${result.servedAfterExpiry}`,
  );
  return result;
}
