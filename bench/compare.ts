/**
 * Compares this checkout's gateway with another gateway on one MCP request, side by side:
 *
 *   tsx bench/compare.ts <tools-list|tools-call> [other checkout]
 *
 * The other gateway runs from the other checkout's build (a `git worktree` of the commit to compare with,
 * after `npm ci && npm run build` there), or from this checkout when none is given; BENCH_COMPARE_ENV (JSON)
 * adds settings to it only, e.g. '{"MCP_REQUEST_LOG":"off"}' to measure what a setting costs. Both run on
 * the bench's small Redis with the same keys and PUBLIC_URL, so the seeded URL works on both, and take the
 * same request in alternating slices (four of 0.75 s per side and repeat, BENCH_REPEATS repeats, sides
 * swapped every other repeat), so the machine's noise falls on both. Printed: each side's CPU per request
 * and throughput per repeat, and the medians. Run `npm run build` first. Never part of `npm run bench`.
 */
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { settings } from "./lib/settings.js";
import { post } from "./lib/setup.js";
import { log, start, startSideGateway } from "./lib/stack.js";
import { median } from "./lib/stats.js";
import { interleave, type Target } from "./phases/types.js";

const request = process.argv[2] ?? "tools-list";
if (request !== "tools-list" && request !== "tools-call")
  throw new Error(`unknown request ${request}: use tools-list or tools-call`);
const other = process.argv[3];
const extraEnv = JSON.parse(process.env.BENCH_COMPARE_ENV ?? "{}") as Record<string, string>;
// A child file is named relative to bench/; the other checkout's is reached from there.
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const otherChild =
  other === undefined ? "servers/gateway.ts" : relative(benchDir, resolve(other, "bench/servers/gateway.ts"));

const stack: (() => Promise<void>)[] = [];
try {
  const bench = await start(stack);
  const { seeded } = bench;
  const otherGateway = await startSideGateway(bench, "gateway-other", extraEnv, otherChild);
  stack.push(() => otherGateway.stop());
  const body = request === "tools-call" ? seeded.callBody : seeded.listBody;
  const target = (child: typeof otherGateway): Target => ({
    name: child.name,
    origin: child.url,
    requests: [post(`/mcp/${seeded.token}`, body)],
    expectStatus: 200,
    cpuOf: [child],
  });
  const mine = target(bench.gateway);
  const theirs = target(otherGateway);
  const cpu = { mine: [] as number[], theirs: [] as number[] };
  const rpsRatio: number[] = [];
  for (let rep = 0; rep < settings.repeats; rep++) {
    const timing = { slices: 4, sliceS: 0.75, warmupS: rep === 0 ? 2 : 0 };
    const [a, b] =
      rep % 2 === 0
        ? await interleave(bench, mine, theirs, settings.connections, timing)
        : (await interleave(bench, theirs, mine, settings.connections, timing)).reverse();
    if (a === undefined || b === undefined) throw new Error("interleave returned fewer than two sides");
    const mineCpu = a.cpuMicrosPerResponse[bench.gateway.name] ?? Number.NaN;
    const theirsCpu = b.cpuMicrosPerResponse[otherGateway.name] ?? Number.NaN;
    cpu.mine.push(mineCpu);
    cpu.theirs.push(theirsCpu);
    rpsRatio.push(a.rps / b.rps);
    log(
      `  ${request}: this ${mineCpu.toFixed(0)} µs, other ${theirsCpu.toFixed(0)} µs per request; ${a.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s`,
    );
  }
  log(
    `${request}, medians over ${settings.repeats} repeats: this ${median(cpu.mine).toFixed(1)} µs, other ${median(cpu.theirs).toFixed(1)} µs of gateway CPU per request; throughput this / other ${median(rpsRatio).toFixed(3)}`,
  );
} finally {
  for (const stop of stack.reverse()) await stop().catch(() => {});
}
