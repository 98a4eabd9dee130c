/**
 * 6. The MCP request log's cost: the same tools/call through two identical gateways on the same Redis,
 * one with the request log on (the default) and one with MCP_REQUEST_LOG=off, side by side, repeated with
 * the order rotated. Reported: the gateway process's CPU per call on each, and their ratio (goal ≤ 1.05).
 */

import { settings } from "../lib/settings.js";
import { post, probe } from "../lib/setup.js";
import { startSideGateway } from "../lib/stack.js";
import { median } from "../lib/stats.js";
import { type Bench, type Measured, measure, rotate, type Target } from "./types.js";

export interface RequestLogResults {
  connections: number;
  runs: Measured[];
  /** Gateway CPU µs per tools/call, median of the runs. */
  cpuMicrosLogOn: number;
  cpuMicrosLogOff: number;
  /** Per repeat (on / off), then the median. */
  cpuRatio: { perRepeat: number[]; median: number };
  /** Records in the seeded tenant's request-log stream after the phase (the log really wrote). */
  recordsWritten: number;
}

export async function measureRequestLog(bench: Bench): Promise<RequestLogResults> {
  const off = await startSideGateway(bench, "gateway-nolog", { MCP_REQUEST_LOG: "off" });
  try {
    const path = `/mcp/${bench.seeded.token}`;
    const check = await probe(`${off.url}${path}`, bench.seeded.callBody);
    if (check.status !== 200) throw new Error(`gateway-nolog tools/call answered ${check.status}`);
    const target = (name: string, origin: string, child: typeof off): Target => ({
      name,
      origin,
      requests: [post(path, bench.seeded.callBody)],
      expectStatus: 200,
      cpuOf: [child],
    });
    const on = target("log on", bench.gateway.url, bench.gateway);
    const offTarget = target("log off", off.url, off);
    // The second gateway starts cold while the first is warm from phase 1: warm both alike, discarded.
    for (const t of [on, offTarget])
      await measure(bench, t, settings.connections, { durationS: 2, warmupS: 0 });
    const runs: Measured[] = [];
    const ratios: number[] = [];
    for (let rep = 0; rep < settings.repeats; rep++) {
      const cpu: Record<string, number> = {};
      for (const t of rotate([on, offTarget], rep)) {
        const run = await measure(bench, t, settings.connections);
        runs.push(run);
        const child = t.cpuOf?.[0]?.name ?? "";
        cpu[t.name] = run.cpuMicrosPerResponse[child] ?? Number.NaN;
        bench.log(
          `  ${t.name}: ${run.rps.toFixed(0)} req/s, ${cpu[t.name]?.toFixed(0)} µs gateway CPU per call`,
        );
      }
      ratios.push((cpu["log on"] ?? Number.NaN) / (cpu["log off"] ?? Number.NaN));
    }
    const cpuOf = (name: string): number =>
      median(
        runs
          .filter((r) => r.target === name)
          .map((r) => Object.values(r.cpuMicrosPerResponse)[0] ?? Number.NaN),
      );
    const prefix = bench.smallEnv.REDIS_KEY_PREFIX ?? "mcpg:";
    const recordsWritten = await bench.redisSmall.xlen(`${prefix}t:{${bench.seeded.tenantId}}:log:mcp`);
    return {
      connections: settings.connections,
      runs,
      cpuMicrosLogOn: cpuOf("log on"),
      cpuMicrosLogOff: cpuOf("log off"),
      cpuRatio: { perRepeat: ratios, median: median(ratios) },
      recordsWritten,
    };
  } finally {
    await off.stop();
  }
}
