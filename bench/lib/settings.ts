/** Bench settings: defaults sized to finish in under 5 minutes on 2 cores, each overridable by env. */

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

const quick = process.env.BENCH_QUICK === "1";

/** The phases `npm run bench` can run, in the order it runs them. */
export const PHASES = ["tool-call", "request-log", "list", "eras", "expiry", "scale"] as const;
export type Phase = (typeof PHASES)[number];

function phases(): readonly Phase[] {
  const raw = process.env.BENCH_PHASES;
  if (raw === undefined || raw === "") return PHASES;
  const chosen = raw.split(",").map((name) => name.trim());
  const unknown = chosen.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_PHASES: unknown ${unknown.join(", ")}; use ${PHASES.join(", ")}`);
  return PHASES.filter((phase) => chosen.includes(phase));
}

export const settings = {
  /** BENCH_QUICK=1: a smoke run (short runs, one repeat, 5k servers) to check the harness, not to quote. */
  quick,
  /** BENCH_PHASES=list,eras: only these phases, printed and never saved (bench/results holds full runs only). */
  phases: phases(),
  /** Seconds per measured autocannon run. */
  durationS: num("BENCH_DURATION_S", quick ? 1 : 3),
  /** Seconds of discarded load before each measured run. */
  warmupS: num("BENCH_WARMUP_S", quick ? 0.5 : 1),
  /** How many times each side-by-side pair is repeated; ratios are the median over repeats. */
  repeats: Math.max(1, Math.round(num("BENCH_REPEATS", quick ? 1 : 3))),
  /** The fixed concurrency for throughput and p99 comparisons. */
  connections: Math.max(1, Math.round(num("BENCH_CONNECTIONS", 10))),
  /** Servers in the large Redis for the scale comparison. */
  scaleServers: Math.round(num("BENCH_SCALE_SERVERS", quick ? 5_000 : 100_000)),
  /** Servers in the small Redis for the scale comparison. */
  scaleSmallServers: Math.round(num("BENCH_SCALE_SMALL_SERVERS", quick ? 500 : 1_000)),
  /** Of the large Redis's servers, how many are minted through the HTTP admin API (the rest in-process). */
  httpMintSample: Math.round(num("BENCH_HTTP_MINT_SAMPLE", quick ? 1_000 : 5_000)),
  /** Tenants (one account each) the scale servers are spread over. */
  scaleAccounts: Math.max(1, Math.round(num("BENCH_SCALE_ACCOUNTS", 20))),
  /** Servers whose expiry is probed, and the spacing of their expiries. */
  expiryServers: Math.max(1, Math.round(num("BENCH_EXPIRY_SERVERS", quick ? 60 : 300))),
  expirySpacingMs: num("BENCH_EXPIRY_SPACING_MS", 10),
  /** The gateway's LOG_LEVEL (warn: no per-request log lines, like the baselines). */
  gatewayLogLevel: process.env.BENCH_LOG_LEVEL ?? "warn",
} as const;

export type Settings = typeof settings;
