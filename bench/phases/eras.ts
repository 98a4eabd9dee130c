/**
 * 7. The two protocol eras side by side: tools/list, tools/call and discovery (2025-11-25 initialize against
 * 2026-07-28 server/discover) through the gateway under test, each as a client of its era sends it, with
 * the two requests of a pair interleaved in short slices. Reported: the gateway's CPU per request and the 2026 / 2025 ratio per pair
 * (goal ≤ 1.2). For reference, the same 2026-07-28 requests once through a gateway with
 * MCP_DIRECT_ANSWERS=off, where a fresh SDK server answers each (the path every 2026 request took before).
 */

import { isDeepStrictEqual } from "node:util";
import { settings } from "../lib/settings.js";
import { jsonRpcFrom, type McpRequestShape, post, probe } from "../lib/setup.js";
import { startSideGateway } from "../lib/stack.js";
import { median } from "../lib/stats.js";
import {
  type Bench,
  type InterleavedSide,
  interleave,
  type Measured,
  measure,
  type Target,
} from "./types.js";

// Slices per side and repeat: each repeat spends BENCH_DURATION_S per side, cut into this many pieces.
const SLICES = 4;

export interface EraPair {
  /** What the pair compares, e.g. "tools/list". */
  name: string;
  legacy: string;
  modern: string;
  /** Gateway CPU µs per request, median of the runs. */
  legacyCpuMicros: number;
  modernCpuMicros: number;
  /** Per repeat (modern / legacy), then the median. */
  cpuRatio: { perRepeat: number[]; median: number };
}

export interface ErasResults {
  connections: number;
  /** Per pair and repeat, the two sides' totals over their interleaved slices. */
  runs: InterleavedSide[];
  pairs: EraPair[];
  /** The 2026-07-28 requests through the SDK (MCP_DIRECT_ANSWERS=off), measured once each. */
  sdkRuns: Measured[];
}

const PAIRS = [
  { name: "tools/list", legacy: "2025 tools/list", modern: "2026 tools/list" },
  { name: "tools/call", legacy: "2025 tools/call", modern: "2026 tools/call" },
  { name: "initialize / server/discover", legacy: "2025 initialize", modern: "2026 server/discover" },
] as const;

/** Checks one answer before anything is timed: a result, and the same result from the SDK path. */
async function checked(
  name: string,
  url: string,
  shape: McpRequestShape,
  sdkUrl: string | undefined,
  valid: (result: Record<string, unknown>) => boolean,
): Promise<void> {
  const answer = await probe(url, shape.body, shape.headers);
  const result = answer.status === 200 ? jsonRpcFrom(answer.text).result : undefined;
  if (typeof result !== "object" || result === null || !valid(result as Record<string, unknown>)) {
    throw new Error(`${name} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  if (sdkUrl === undefined) return;
  const sdk = await probe(sdkUrl, shape.body, shape.headers);
  if (!isDeepStrictEqual(jsonRpcFrom(sdk.text), jsonRpcFrom(answer.text))) {
    throw new Error(`${name}: the direct answer differs from the SDK's: ${sdk.text.slice(0, 300)}`);
  }
}

export async function measureEras(bench: Bench): Promise<ErasResults> {
  const { seeded } = bench;
  const path = `/mcp/${seeded.token}`;
  const legacy = (body: string): McpRequestShape => ({ body, headers: seeded.mcpHeaders });
  const shapes: Record<string, McpRequestShape> = {
    "2025 tools/list": legacy(seeded.listBody),
    "2026 tools/list": seeded.modern.list,
    "2025 tools/call": legacy(seeded.callBody),
    "2026 tools/call": seeded.modern.call,
    "2025 initialize": legacy(seeded.initializeBody),
    "2026 server/discover": seeded.modern.discover,
  };
  const sdkGateway = await startSideGateway(bench, "gateway-sdk", { MCP_DIRECT_ANSWERS: "off" });
  try {
    const listed = (r: Record<string, unknown>): boolean =>
      Array.isArray(r.tools) && r.tools.length === seeded.toolCount;
    const found = (r: Record<string, unknown>): boolean =>
      r.isError !== true && JSON.stringify(r.content ?? "").includes("window seats");
    const gatewayUrl = `${bench.gateway.url}${path}`;
    const sdkUrl = `${sdkGateway.url}${path}`;
    await checked("2025 tools/list", gatewayUrl, shapes["2025 tools/list"]!, undefined, listed);
    await checked("2026 tools/list", gatewayUrl, shapes["2026 tools/list"]!, sdkUrl, listed);
    await checked("2025 tools/call", gatewayUrl, shapes["2025 tools/call"]!, undefined, found);
    await checked("2026 tools/call", gatewayUrl, shapes["2026 tools/call"]!, undefined, found);
    await checked(
      "2025 initialize",
      gatewayUrl,
      shapes["2025 initialize"]!,
      undefined,
      (r) => "serverInfo" in r,
    );
    await checked("2026 server/discover", gatewayUrl, shapes["2026 server/discover"]!, sdkUrl, (r) =>
      Array.isArray(r.supportedVersions),
    );

    const target = (name: string, child: typeof sdkGateway, suffix = ""): Target => ({
      name: `${name}${suffix}`,
      origin: child.url,
      requests: [post(path, shapes[name]!.body, shapes[name]!.headers)],
      expectStatus: 200,
      cpuOf: [child],
    });
    const runs: InterleavedSide[] = [];
    const ratios: number[][] = PAIRS.map(() => []);
    for (const [i, pair] of PAIRS.entries()) {
      for (let rep = 0; rep < settings.repeats; rep++) {
        // Slices of half a second or so, four per side per repeat: the machine's noise falls on both eras.
        const [legacySide, modernSide] = await interleave(
          bench,
          target(pair.legacy, bench.gateway),
          target(pair.modern, bench.gateway),
          settings.connections,
          { slices: SLICES, sliceS: settings.durationS / SLICES, warmupS: rep === 0 ? settings.warmupS : 0 },
        );
        runs.push(legacySide, modernSide);
        const legacyCpu = legacySide.cpuMicrosPerResponse.gateway ?? Number.NaN;
        const modernCpu = modernSide.cpuMicrosPerResponse.gateway ?? Number.NaN;
        ratios[i]!.push(modernCpu / legacyCpu);
        bench.log(
          `  ${pair.name}: 2025 ${legacyCpu.toFixed(0)} µs, 2026 ${modernCpu.toFixed(0)} µs gateway CPU per request (${legacySide.rps.toFixed(0)} / ${modernSide.rps.toFixed(0)} req/s)`,
        );
      }
    }

    const sdkRuns: Measured[] = [];
    for (const name of ["2026 tools/list", "2026 tools/call", "2026 server/discover"]) {
      const run = await measure(bench, target(name, sdkGateway, " (SDK)"), settings.connections);
      sdkRuns.push(run);
      bench.log(
        `  ${run.target}: ${run.rps.toFixed(0)} req/s, ${run.cpuMicrosPerResponse["gateway-sdk"]?.toFixed(0)} µs gateway CPU per request`,
      );
    }

    const cpuOf = (name: string): number =>
      median(runs.filter((r) => r.target === name).map((r) => r.cpuMicrosPerResponse.gateway ?? Number.NaN));
    return {
      connections: settings.connections,
      runs,
      pairs: PAIRS.map((pair, i) => ({
        ...pair,
        legacyCpuMicros: cpuOf(pair.legacy),
        modernCpuMicros: cpuOf(pair.modern),
        cpuRatio: { perRepeat: ratios[i]!, median: median(ratios[i]!) },
      })),
      sdkRuns,
    };
  } finally {
    await sdkGateway.stop();
  }
}
