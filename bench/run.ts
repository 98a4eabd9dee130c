/**
 * `npm run bench`: starts everything it needs locally (two throwaway redis-servers, the Mem0 sandbox, two
 * gateways, a naive SDK-style MCP server, a trivial fastify route, and the load generator, each in its
 * own process), measures side by side, prints a markdown table and writes bench/results/<date>.{json,md}.
 * Never part of `npm test`. Settings: bench/lib/settings.ts (BENCH_* env); BENCH_QUICK=1 for a smoke run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { PHASES, type Phase, settings } from "./lib/settings.js";
import { log, resultsDir, start } from "./lib/stack.js";
import { measureEras } from "./phases/eras.js";
import { measureExpiry } from "./phases/expiry.js";
import { measureListAndForged } from "./phases/list-forged.js";
import { measureRequestLog } from "./phases/request-log.js";
import { measureScale } from "./phases/scale.js";
import { measureToolCall } from "./phases/tool-call.js";
import { machineDescription, renderMarkdown } from "./report.js";

async function main(): Promise<void> {
  const began = performance.now();
  const stack: (() => Promise<void>)[] = [];
  try {
    log("starting redis x2, sandbox, gateway x2, naive MCP server, trivial route, load worker");
    const bench = await start(stack);
    const runs = (phase: Phase): boolean => settings.phases.includes(phase);
    if (settings.phases.length < PHASES.length) {
      // A partial run (BENCH_PHASES): each phase logs its runs as it goes; the results are printed, not saved.
      const partial: Record<string, unknown> = {};
      if (runs("tool-call")) partial.toolCall = await measureToolCall(bench);
      if (runs("request-log")) partial.requestLog = await measureRequestLog(bench);
      if (runs("list")) partial.listForged = await measureListAndForged(bench);
      if (runs("eras")) partial.eras = await measureEras(bench);
      if (runs("expiry")) partial.expiry = await measureExpiry(bench);
      if (runs("scale")) partial.scale = await measureScale(bench);
      process.stdout.write(
        `${JSON.stringify(partial, (key, value) => (key === "runs" ? undefined : value), 2)}\n`,
      );
      return;
    }
    log("1/5 tools/call: gateway vs direct vs naive");
    const toolCall = await measureToolCall(bench);
    log("1b tools/call with the MCP request log on and off");
    const requestLog = await measureRequestLog(bench);
    log("2/5 + 3/5 tools/list and forged tokens vs the trivial route");
    const listForged = await measureListAndForged(bench);
    log("2b the 2025-11-25 and 2026-07-28 eras side by side");
    const eras = await measureEras(bench);
    log("5/5 expiry precision");
    const expiry = await measureExpiry(bench);
    log("4/5 scale: minting and tools/list at 1k vs 100k servers");
    const scale = await measureScale(bench);
    const totalS = (performance.now() - began) / 1000;
    const date = new Date().toISOString();
    const results = {
      date,
      durationS: totalS,
      machine: machineDescription(),
      settings,
      toolCount: bench.seeded.toolCount,
      toolCall,
      listForged,
      scale,
      expiry,
      requestLog,
      eras,
    };
    const markdown = renderMarkdown(results);
    mkdirSync(resultsDir, { recursive: true });
    const stamp = date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
    writeFileSync(`${resultsDir}${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${resultsDir}${stamp}.md`, markdown);
    process.stdout.write(markdown);
    log(`done in ${totalS.toFixed(0)} s; wrote bench/results/${stamp}.json and .md`);
  } finally {
    for (const stop of stack.reverse())
      await stop().catch((error: unknown) => log(`cleanup: ${(error as Error).message}`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
