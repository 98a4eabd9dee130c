/**
 * 1. tools/call of mem_0_memories_search three ways, side by side: through the gateway, the same HTTP call
 * straight to the sandbox, and through the naive SDK-style server. Throughput and p50/p99 at a fixed
 * concurrency, then p50 at concurrency 1 (gateway and direct alternating) for the latency the gateway adds.
 */

import { settings } from "../lib/settings.js";
import { jsonRpcFrom, post, probe } from "../lib/setup.js";
import { median, type Summary } from "../lib/stats.js";
import { alternate, type Bench, type Measured, measure, rotate, type Target } from "./types.js";

export interface ConcurrencyOneRun {
  pairs: number;
  gateway: Summary;
  direct: Summary;
  gatewayCpuMicrosPerCall: number;
}

export interface ToolCallResults {
  connections: number;
  runs: Measured[];
  /** Gateway and direct alternating at concurrency 1, one run per repeat. */
  concurrency1: ConcurrencyOneRun[];
  /** Per repeat, then the median. */
  throughputRatio: { perRepeat: number[]; median: number };
  p99Ratio: { perRepeat: number[]; median: number };
  addedP50Ms: { perRepeat: number[]; median: number };
  gatewayCpuMicrosPerCall: number;
  naiveCpuMicrosPerCall: number;
  responseBytes: Record<string, number>;
}

/** Checks that a tools/call answer is a successful tool result holding search results. */
function checkToolResult(name: string, status: number, text: string): void {
  if (status !== 200) throw new Error(`${name} tools/call answered ${status}: ${text.slice(0, 300)}`);
  const message = jsonRpcFrom(text);
  const result = message.result as { isError?: boolean; content?: { text?: string }[] } | undefined;
  if (result === undefined || result.isError === true) {
    throw new Error(`${name} tools/call failed: ${text.slice(0, 500)}`);
  }
  if (!(result.content?.[0]?.text ?? "").includes("window seats")) {
    throw new Error(`${name} tools/call did not find the seeded memories: ${text.slice(0, 500)}`);
  }
}

export async function measureToolCall(bench: Bench): Promise<ToolCallResults> {
  const { seeded } = bench;
  const gatewayPath = `/mcp/${seeded.token}`;
  const naiveUrl = new URL(bench.naive.url);
  const sandboxOrigin = new URL(bench.sandbox.url).origin;

  const gw = await probe(`${bench.gateway.url}${gatewayPath}`, seeded.callBody);
  checkToolResult("gateway", gw.status, gw.text);
  const naive = await probe(bench.naive.url, seeded.callBody);
  checkToolResult("naive", naive.status, naive.text);
  const direct = await probe(
    `${sandboxOrigin}${seeded.direct.path}`,
    seeded.direct.body,
    seeded.direct.headers,
  );
  if (direct.status !== 200 || !direct.text.includes("window seats")) {
    throw new Error(`direct search answered ${direct.status}: ${direct.text.slice(0, 300)}`);
  }

  const gateway: Target = {
    name: "gateway",
    origin: bench.gateway.url,
    requests: [post(gatewayPath, seeded.callBody)],
    expectStatus: 200,
    cpuOf: [bench.gateway, bench.sandbox],
  };
  const straight: Target = {
    name: "direct",
    origin: sandboxOrigin,
    requests: [seeded.direct],
    expectStatus: 200,
    cpuOf: [bench.sandbox],
  };
  const naiveTarget: Target = {
    name: "naive",
    origin: naiveUrl.origin,
    requests: [post(naiveUrl.pathname, seeded.callBody)],
    expectStatus: 200,
    cpuOf: [bench.naive, bench.sandbox],
  };

  const runs: Measured[] = [];
  const throughput: number[] = [];
  const p99: number[] = [];
  for (let rep = 0; rep < settings.repeats; rep++) {
    const byName: Record<string, Measured> = {};
    for (const target of rotate([gateway, straight, naiveTarget], rep)) {
      const run = await measure(bench, target, settings.connections);
      byName[target.name] = run;
      runs.push(run);
      bench.log(
        `  c=${settings.connections} ${target.name}: ${run.rps.toFixed(0)} req/s, p50 ${run.latencyMs.p50.toFixed(2)} ms, p99 ${run.latencyMs.p99.toFixed(2)} ms`,
      );
    }
    throughput.push(byName.gateway!.rps / byName.naive!.rps);
    p99.push(byName.gateway!.latencyMs.p99 / byName.naive!.latencyMs.p99);
  }

  // At concurrency 1 the difference of two p50s is small next to this machine's noise, so the two are
  // measured in one run: one request at a time, alternating gateway and direct, first side flipped each repeat.
  const concurrency1: ConcurrencyOneRun[] = [];
  const added: number[] = [];
  const gatewaySide = { origin: gateway.origin, requests: gateway.requests };
  const directSide = { origin: straight.origin, requests: straight.requests };
  await alternate(bench, gatewaySide, directSide, 0, settings.warmupS);
  for (let rep = 0; rep < settings.repeats; rep++) {
    const cpuBefore = await bench.gateway.cpuMicros();
    const { pairs, a, b } = await alternate(bench, gatewaySide, directSide, rep);
    const cpu = (await bench.gateway.cpuMicros()) - cpuBefore;
    const run: ConcurrencyOneRun = { pairs, gateway: a, direct: b, gatewayCpuMicrosPerCall: cpu / pairs };
    concurrency1.push(run);
    added.push(run.gateway.p50 - run.direct.p50);
    bench.log(
      `  c=1 alternating, ${run.pairs} pairs: p50 gateway ${run.gateway.p50.toFixed(3)} ms, direct ${run.direct.p50.toFixed(3)} ms`,
    );
  }

  const cpu = (name: string, child: string): number =>
    median(runs.filter((r) => r.target === name).map((r) => r.cpuMicrosPerResponse[child] ?? Number.NaN));
  return {
    connections: settings.connections,
    runs,
    concurrency1,
    throughputRatio: { perRepeat: throughput, median: median(throughput) },
    p99Ratio: { perRepeat: p99, median: median(p99) },
    addedP50Ms: { perRepeat: added, median: median(added) },
    gatewayCpuMicrosPerCall: cpu("gateway", "gateway"),
    naiveCpuMicrosPerCall: cpu("naive", "naive"),
    responseBytes: { gateway: gw.bytes, naive: naive.bytes, direct: direct.bytes },
  };
}
