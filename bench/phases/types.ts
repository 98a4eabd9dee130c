/** What every phase gets: the running processes, the seeded tenant, and a way to time one target. */
import type { Redis } from "ioredis";
import type { BenchChild } from "../lib/child.js";
import { settings } from "../lib/settings.js";
import type { McpRequestShape } from "../lib/setup.js";
import type { Summary } from "../lib/stats.js";
import type { AlternateJob, AlternateResult, CannonJob, CannonRequest, CannonResult } from "../load/jobs.js";

export interface Bench {
  /** The gateway under test, on the small Redis. */
  gateway: BenchChild;
  /** A second gateway, same build and config, on the large Redis (scale comparison only). */
  gatewayLarge: BenchChild;
  sandbox: BenchChild;
  naive: BenchChild;
  trivial: BenchChild;
  load: BenchChild;
  /** Clients without a key prefix, for INFO and MEMORY readings. */
  redisSmall: Redis;
  redisLarge: Redis;
  /** The gateways' environments (same keys and admin token). */
  smallEnv: Record<string, string>;
  largeEnv: Record<string, string>;
  adminToken: string;
  sandboxKey: string;
  seeded: {
    tenantId: string;
    apiToken: string;
    accountId: string;
    /** Token of the seeded server (every tool). */
    token: string;
    toolCount: number;
    callBody: string;
    listBody: string;
    /** A 2025-11-25 initialize: that era's counterpart of server/discover. */
    initializeBody: string;
    /** The same tools/call and tools/list, and server/discover, as a 2026-07-28 client sends them. */
    modern: { call: McpRequestShape; list: McpRequestShape; discover: McpRequestShape };
    /** The upstream request the gateway makes for the tool call, aimed straight at the sandbox. */
    direct: CannonRequest;
    mcpHeaders: Record<string, string>;
  };
  log(message: string): void;
}

/** One thing to load: where, what, and which processes' CPU to charge per response. */
export interface Target {
  name: string;
  origin: string;
  requests: CannonRequest[];
  expectStatus: number;
  /** Processes whose CPU time per response is reported (e.g. the gateway, the sandbox). */
  cpuOf?: BenchChild[];
  /** Counters read around the warm-up and the measured run (e.g. Redis commands by name). */
  counters?: () => Promise<Record<string, number>>;
  /** Awaited before anything is counted or sent (e.g. until the previous target's work has settled). */
  before?: () => Promise<void>;
}

/** A measured run: the load worker's result plus CPU microseconds per response per charged process. */
export interface Measured extends CannonResult {
  target: string;
  connections: number;
  cpuMicrosPerResponse: Record<string, number>;
  /** Counter changes during the warm-up and during the measured run (only counters that changed). */
  countersWarmup?: Record<string, number>;
  countersMeasured?: Record<string, number>;
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    const diff = value - (before[name] ?? 0);
    if (diff !== 0) out[name] = diff;
  }
  return out;
}

/** Runs a discarded warm-up, then the measured run, reading CPU before and after the measured one. */
export async function measure(
  bench: Bench,
  target: Target,
  connections: number,
  timing: { durationS: number; warmupS: number } = settings,
): Promise<Measured> {
  const job = (durationS: number): CannonJob => ({
    kind: "cannon",
    url: target.origin,
    requests: target.requests,
    connections,
    durationS,
    expectStatus: target.expectStatus,
  });
  await target.before?.();
  const counted0 = await target.counters?.();
  if (timing.warmupS > 0) await bench.load.run<CannonResult>(job(timing.warmupS));
  const charged = target.cpuOf ?? [];
  const counted1 = await target.counters?.();
  const before = await Promise.all(charged.map((child) => child.cpuMicros()));
  const result = await bench.load.run<CannonResult>(job(timing.durationS));
  const after = await Promise.all(charged.map((child) => child.cpuMicros()));
  const counted2 = await target.counters?.();
  if (result.unexpected > 0 || result.errors > 0) {
    throw new Error(
      `${target.name}: ${result.unexpected} responses without status ${target.expectStatus} and ${result.errors} errors (statuses ${JSON.stringify(result.statuses)})`,
    );
  }
  const cpuMicrosPerResponse: Record<string, number> = {};
  charged.forEach((child, i) => {
    cpuMicrosPerResponse[child.name] = (after[i]! - before[i]!) / Math.max(1, result.responses);
  });
  return {
    ...result,
    target: target.name,
    connections,
    cpuMicrosPerResponse,
    ...(counted0 && counted1 && counted2
      ? { countersWarmup: delta(counted0, counted1), countersMeasured: delta(counted1, counted2) }
      : {}),
  };
}

/** Two targets' totals over interleaved slices: responses per second and CPU µs per response per process. */
export interface InterleavedSide {
  target: string;
  responses: number;
  rps: number;
  cpuMicrosPerResponse: Record<string, number>;
}

/**
 * Two targets measured in alternating short slices (A B, B A, A B, ...), each slice a separate run at
 * `connections`, totals summed per side. On a busy machine the load from other work changes over seconds;
 * slices of a fraction of a second let it fall on both sides alike, which whole runs one after the other
 * do not. Each target gets `warmupS` of discarded load first.
 */
export async function interleave(
  bench: Bench,
  a: Target,
  b: Target,
  connections: number,
  options: { slices: number; sliceS: number; warmupS: number },
): Promise<[InterleavedSide, InterleavedSide]> {
  for (const target of [a, b]) {
    if (options.warmupS > 0)
      await measure(bench, target, connections, { durationS: options.warmupS, warmupS: 0 });
  }
  const totals = [a, b].map((target) => ({
    target,
    responses: 0,
    seconds: 0,
    cpu: {} as Record<string, number>,
  }));
  for (let slice = 0; slice < options.slices; slice++) {
    for (const side of slice % 2 === 0 ? [0, 1] : [1, 0]) {
      const total = totals[side]!;
      const run = await measure(bench, total.target, connections, { durationS: options.sliceS, warmupS: 0 });
      total.responses += run.responses;
      total.seconds += run.responses / Math.max(run.rps, Number.MIN_VALUE);
      for (const [name, micros] of Object.entries(run.cpuMicrosPerResponse)) {
        total.cpu[name] = (total.cpu[name] ?? 0) + micros * run.responses;
      }
    }
  }
  const sides = totals.map(
    (total): InterleavedSide => ({
      target: total.target.name,
      responses: total.responses,
      rps: total.responses / total.seconds,
      cpuMicrosPerResponse: Object.fromEntries(
        Object.entries(total.cpu).map(([name, micros]) => [name, micros / Math.max(1, total.responses)]),
      ),
    }),
  );
  return [sides[0]!, sides[1]!];
}

/** The list rotated by `by` places, so repeated pairs do not always run in the same order. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One side of an alternating run: where, and the requests sent there in turn. */
export type AlternateSide = AlternateJob["sides"][number];

/**
 * One request at a time, alternating between two sides, so whatever else the machine does falls on both
 * alike. Side `a` goes first on even repeats and `b` on odd ones; the summaries come back as [a, b].
 */
export async function alternate(
  bench: Bench,
  a: AlternateSide,
  b: AlternateSide,
  rep: number,
  durationS: number = settings.durationS,
): Promise<{ pairs: number; a: Summary; b: Summary }> {
  const bFirst = rep % 2 === 1;
  const result = await bench.load.run<AlternateResult>({
    kind: "alternate",
    sides: bFirst ? [b, a] : [a, b],
    durationS,
    expectStatus: 200,
  } satisfies AlternateJob);
  const [first, second] = result.latencyMs as [Summary, Summary];
  return { pairs: result.pairs, a: bFirst ? second : first, b: bFirst ? first : second };
}
