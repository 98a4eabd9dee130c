/** The markdown report: targets first (ratios with the raw figures beside them), then the details. */
import { cpus, freemem, loadavg, totalmem } from "node:os";
import type { Settings } from "./lib/settings.js";
import { fmt, median, type Summary } from "./lib/stats.js";
import type { ErasResults } from "./phases/eras.js";
import type { ExpiryResults } from "./phases/expiry.js";
import type { ListForgedResults } from "./phases/list-forged.js";
import type { RequestLogResults } from "./phases/request-log.js";
import type { ScaleResults } from "./phases/scale.js";
import type { ToolCallResults } from "./phases/tool-call.js";
import type { Measured } from "./phases/types.js";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage1m: number;
  node: string;
  platform: string;
}

/** What produced the numbers: they mean little without it. */
export function machineDescription(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? "unknown",
    cores: list.length,
    memoryGiB: totalmem() / 2 ** 30,
    freeMemoryGiB: freemem() / 2 ** 30,
    loadAverage1m: loadavg()[0] ?? Number.NaN,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export interface Results {
  date: string;
  durationS: number;
  machine: Machine;
  settings: Settings;
  toolCount: number;
  toolCall: ToolCallResults;
  listForged: ListForgedResults;
  scale: ScaleResults;
  expiry: ExpiryResults;
  /** Absent in results recorded before the request log existed. */
  requestLog?: RequestLogResults;
  /** Absent in results recorded before the 2026-07-28 era was measured. */
  eras?: ErasResults;
}

interface TargetRow {
  what: string;
  measured: string;
  raw: string;
  goal: string;
  /** "n/a" for a figure reported beside the targets without a goal of its own. */
  met: boolean | "n/a";
}

function medianOf(runs: Measured[], target: string, pick: (run: Measured) => number): number {
  return median(runs.filter((r) => r.target === target).map(pick));
}

/** Each issue target, measured, with its verdict. */
export function targetRows(r: Results): TargetRow[] {
  const tc = r.toolCall;
  const lf = r.listForged;
  const rps = (runs: Measured[], target: string): string => fmt(medianOf(runs, target, (x) => x.rps));
  const p = (runs: Measured[], target: string, q: "p50" | "p99"): string =>
    fmt(medianOf(runs, target, (x) => x.latencyMs[q]));
  const ex = r.expiry;
  const worst = ex.firstRefusalAfterMs.max;
  return [
    {
      what: "tools/call throughput, gateway / naive",
      measured: `${fmt(tc.throughputRatio.median)}×`,
      raw: `${rps(tc.runs, "gateway")} vs ${rps(tc.runs, "naive")} req/s (c=${tc.connections}); direct ${rps(tc.runs, "direct")}`,
      goal: "≥ 1.5×",
      met: tc.throughputRatio.median >= 1.5,
    },
    {
      what: "tools/call p99, gateway / naive",
      measured: `${fmt(tc.p99Ratio.median)}×`,
      raw: `${p(tc.runs, "gateway", "p99")} vs ${p(tc.runs, "naive", "p99")} ms (c=${tc.connections})`,
      goal: "≤ 1×",
      met: tc.p99Ratio.median <= 1,
    },
    {
      what: "tools/call p50 added over the direct call, c=1",
      measured: `${fmt(tc.addedP50Ms.median)} ms`,
      raw: `${fmt(median(tc.concurrency1.map((x) => x.gateway.p50)))} vs ${fmt(median(tc.concurrency1.map((x) => x.direct.p50)))} ms (alternating)`,
      goal: "≤ 1 ms",
      met: tc.addedP50Ms.median <= 1,
    },
    ...(lf.listToFloorRatio === undefined
      ? [
          {
            what: `tools/list (${r.toolCount} tools) / trivial route, throughput`,
            measured: `${fmt(lf.listRatio.median)}×`,
            raw: `${rps(lf.runs, "tools/list")} vs ${rps(lf.runs, "trivial")} req/s (c=${r.settings.connections})`,
            goal: "≥ 0.5×",
            met: lf.listRatio.median >= 0.5,
          },
        ]
      : [
          {
            what: `tools/list (${r.toolCount} tools) / its floor (one MGET + the same bytes), throughput`,
            measured: `${fmt(lf.listToFloorRatio.median)}×`,
            raw: `interleaved slices (c=${r.settings.connections}); by CPU per request (floor / gateway) ${fmt(lf.listToFloorCpuRatio?.median ?? Number.NaN)}×; in the rotated runs, to the trivial route ${fmt(lf.listRatio.median)}× vs ${fmt(lf.floorRedisRatio.median)}×`,
            goal: "≥ 0.8×",
            met: lf.listToFloorRatio.median >= 0.8,
          },
          ...(lf.listNoLogToFloorRatio === undefined
            ? []
            : [
                {
                  what: "the same, through a gateway with the request log off (MCP_REQUEST_LOG=off)",
                  measured: `${fmt(lf.listNoLogToFloorRatio.median)}×`,
                  raw: `interleaved slices (c=${r.settings.connections}); by CPU per request ${fmt(lf.listNoLogToFloorCpuRatio?.median ?? Number.NaN)}×; shows the log's share (the goal predates the log)`,
                  goal: "reported",
                  met: "n/a" as const,
                },
              ]),
        ]),
    {
      what: "forged tokens / trivial route, throughput",
      measured: `${fmt(lf.forgedRatio.median)}×`,
      raw: `${rps(lf.runs, "forged")} vs ${rps(lf.runs, "trivial")} req/s (c=${r.settings.connections})`,
      goal: "≥ 0.8×",
      met: lf.forgedRatio.median >= 0.8,
    },
    {
      what: "Redis commands caused by forged tokens",
      measured: String(lf.forgedRedisCommands),
      raw: `over ${lf.forgedResponses} measured forged requests (plus warm-ups)`,
      goal: "0",
      met: lf.forgedRedisCommands === 0,
    },
    {
      what: "Redis memory per server (its record + index entry)",
      measured: `${fmt(r.scale.memory.memoryUsagePerServer)} B`,
      raw: `MEMORY USAGE: ${fmt(r.scale.memory.sampledKeyBytes)} B key + ${fmt(r.scale.memory.indexBytesPerEntry)} B index entry, over ${r.scale.largeServers} servers`,
      goal: "≤ 1024 B",
      met: r.scale.memory.memoryUsagePerServer <= 1024,
    },
    {
      what: "Redis memory per mint, all of it (server + its audit-trail records)",
      measured: `${fmt(r.scale.memory.usedMemoryDeltaPerServer)} B`,
      raw: `used_memory delta over ${r.scale.largeServers} mints; of it the audit trail (tenant's and operator's streams, ${r.scale.memory.auditLogEntries} entries): ${fmt(r.scale.memory.auditLogBytesPerMint)} B per mint, bounded by the streams' caps and retention`,
      goal: "reported (the goal above predates the audit trail)",
      met: "n/a",
    },
    {
      what: `tools/list p50 latency, ${r.scale.largeServers} / ${r.scale.smallServers} servers`,
      measured: `${fmt(r.scale.latency.p50Ratio.median)}×`,
      raw: `${fmt(median(r.scale.latency.runs.map((x) => x.large.p50)))} vs ${fmt(median(r.scale.latency.runs.map((x) => x.small.p50)))} ms (c=1, alternating); p99 ratio ${fmt(r.scale.latency.p99Ratio.median)}×`,
      goal: "≤ 1.2×",
      met: r.scale.latency.p50Ratio.median <= 1.2,
    },
    {
      what: "first refusal after expires_at, worst server",
      measured: `${fmt(worst)} ms`,
      raw: `${ex.servers} servers: p50 ${fmt(ex.firstRefusalAfterMs.p50)}, p99 ${fmt(ex.firstRefusalAfterMs.p99)} ms; never refused ${ex.neverRefused}; served after expiry ${ex.servedAfterExpiry}; refused early ${ex.refusedEarly}`,
      goal: "≤ 1000 ms (goal 50 ms)",
      met: ex.neverRefused === 0 && ex.servedAfterExpiry === 0 && worst <= 1000,
    },
    ...(r.requestLog === undefined
      ? []
      : [
          {
            what: "tools/call gateway CPU, request log on / off",
            measured: `${fmt(r.requestLog.cpuRatio.median)}×`,
            raw: `${fmt(r.requestLog.cpuMicrosLogOn)} vs ${fmt(r.requestLog.cpuMicrosLogOff)} µs per call (c=${r.requestLog.connections}); ${r.requestLog.recordsWritten} records written`,
            goal: "≤ 1.05×",
            met: r.requestLog.cpuRatio.median <= 1.05,
          },
        ]),
    ...(r.eras?.pairs ?? []).map((pair) => ({
      what: `gateway CPU per request, 2026-07-28 ${pair.modern.slice(5)} / 2025-11-25 ${pair.legacy.slice(5)}`,
      measured: `${fmt(pair.cpuRatio.median)}×`,
      raw: `${fmt(pair.modernCpuMicros)} vs ${fmt(pair.legacyCpuMicros)} µs per request (c=${r.eras?.connections})`,
      goal: "≤ 1.2×",
      met: pair.cpuRatio.median <= 1.2,
    })),
  ];
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

function runSummary(runs: Measured[], target: string, cpuChild?: string): string[] {
  const mine = runs.filter((r) => r.target === target);
  const cpu =
    cpuChild === undefined
      ? Number.NaN
      : median(mine.map((r) => r.cpuMicrosPerResponse[cpuChild] ?? Number.NaN));
  return [
    target,
    fmt(median(mine.map((r) => r.rps))),
    fmt(median(mine.map((r) => r.latencyMs.p50))),
    fmt(median(mine.map((r) => r.latencyMs.p99))),
    cpuChild === undefined ? "" : `${fmt(cpu)} µs (${cpuChild})`,
  ];
}

export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const s = r.settings;
  const tc = r.toolCall;
  const lf = r.listForged;
  const sc = r.scale;
  const ex = r.expiry;
  const lines: string[] = [
    `# mcp-gateway bench, ${r.date}`,
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB)} GiB RAM, ${m.platform}, Node ${m.node}; 1-min load average at the end ${fmt(m.loadAverage1m)}.`,
    `Every server, Redis and the load generator (autocannon 8) ran on this machine, each in its own process. Runs of ${s.durationS} s after ${s.warmupS} s of warm-up, each pair repeated ${s.repeats}× (ratios are the median of the per-repeat ratios, raw figures the median of the runs). Whole bench: ${fmt(r.durationS)} s.${s.quick ? " **BENCH_QUICK smoke run: not for quoting.**" : ""}`,
    "",
    "## Targets",
    "",
    table(
      ["target", "measured", "raw figures", "goal", "met"],
      targetRows(r).map((row) => [
        row.what,
        row.measured,
        row.raw,
        row.goal,
        row.met === "n/a" ? "n/a" : row.met ? "yes" : "**no**",
      ]),
    ),
    "",
    `## tools/call of mem_0_memories_search (c=${tc.connections}; CPU per call of the process named)`,
    "",
    table(
      ["path", "req/s", "p50 ms", "p99 ms", "CPU per call"],
      [
        runSummary(tc.runs, "gateway", "gateway"),
        runSummary(tc.runs, "direct", "sandbox"),
        runSummary(tc.runs, "naive", "naive"),
      ],
    ),
    "",
    `Sandbox CPU per call: ${fmt(medianOf(tc.runs, "direct", (x) => x.cpuMicrosPerResponse.sandbox ?? Number.NaN))} µs direct, ${fmt(medianOf(tc.runs, "gateway", (x) => x.cpuMicrosPerResponse.sandbox ?? Number.NaN))} µs via the gateway, ${fmt(medianOf(tc.runs, "naive", (x) => x.cpuMicrosPerResponse.sandbox ?? Number.NaN))} µs via naive. Response bytes: gateway ${tc.responseBytes.gateway}, naive ${tc.responseBytes.naive}, direct ${tc.responseBytes.direct}.`,
    "",
    "At concurrency 1, one request at a time alternating gateway and direct:",
    "",
    table(
      ["path", "requests", "p50 ms", "p90 ms", "p99 ms"],
      (["gateway", "direct"] as const).map((side) => [
        side,
        String(tc.concurrency1.reduce((n, x) => n + x[side].count, 0)),
        fmt(median(tc.concurrency1.map((x) => x[side].p50))),
        fmt(median(tc.concurrency1.map((x) => x[side].p90))),
        fmt(median(tc.concurrency1.map((x) => x[side].p99))),
      ]),
    ),
    "",
    `Gateway CPU per tools/call at concurrency 1: ${fmt(median(tc.concurrency1.map((x) => x.gatewayCpuMicrosPerCall)))} µs.`,
    "",
    `## tools/list and forged tokens vs the trivial route (c=${s.connections})`,
    "",
    table(
      ["request", "req/s", "p50 ms", "p99 ms", "CPU per call"],
      [
        runSummary(lf.runs, "trivial", "trivial"),
        runSummary(lf.runs, "tools/list", "gateway"),
        runSummary(lf.runs, "tools/list (1 tool)", "gateway"),
        runSummary(lf.runs, "forged", "gateway"),
        runSummary(lf.runs, "floor: bytes", "trivial"),
        runSummary(lf.runs, "floor: MGET + bytes", "trivial"),
        runSummary(lf.runs, "floor: token check", "trivial"),
      ],
    ),
    "",
    `Floors for tools/list (bare fastify routes in the trivial process, no token, no logging): answering the same ${lf.listResponseBytes} bytes from memory runs at ${fmt(lf.floorBytesRatio.median)}× the trivial route; doing first the one Redis MGET a URL that can be revoked at once needs (a client configured like the gateway's) runs at ${fmt(lf.floorRedisRatio.median)}×. A tools/list that reads Redis on every request cannot beat the second figure on this machine. The floor for a forged token: a bare route that runs only the gateway's token check (HMAC-SHA-256, the same 64 forgeries) and answers 404 runs at ${fmt(lf.floorVerifyRatio.median)}×.`,
    "",
    `tools/list (1 tool) / trivial: ${fmt(lf.listOneToolRatio.median)}× (informational: the same request on a server with one tool, ${lf.listOneToolResponseBytes} bytes, separates per-request cost from answer size). tools/list answer: ${lf.listResponseBytes} bytes, ${fmt(lf.listRedisCommandsPerCall)} Redis commands per call. Forged tokens: ${lf.forgedRedisCommands} Redis commands over ${lf.forgedResponses} measured requests (64 distinct forgeries: random signatures and edited payloads).`,
    "",
    "## Scale",
    "",
    table(
      ["figure", "value"],
      [
        [
          `mint rate, HTTP admin API (c=16), ${sc.mintRate.httpLarge.servers} servers into the large Redis`,
          `${fmt(sc.mintRate.httpLarge.perSecond)}/s`,
        ],
        [
          `mint rate, HTTP admin API (c=16), ${sc.mintRate.httpSmall.servers} servers into the small Redis`,
          `${fmt(sc.mintRate.httpSmall.perSecond)}/s`,
        ],
        [
          `mint rate, in-process mintMcpServer (c=${sc.mintRate.inProcess.concurrency}), the other ${sc.mintRate.inProcess.servers}`,
          `${fmt(sc.mintRate.inProcess.perSecond)}/s`,
        ],
        [
          `Redis used_memory delta per server (${sc.largeServers})`,
          `${fmt(sc.memory.usedMemoryDeltaPerServer)} B`,
        ],
        [
          `Redis used_memory delta per server (${sc.smallServers})`,
          `${fmt(sc.memory.usedMemoryDeltaPerServerSmall)} B`,
        ],
        [
          "MEMORY USAGE per server key (sampled) + per index entry",
          `${fmt(sc.memory.sampledKeyBytes)} + ${fmt(sc.memory.indexBytesPerEntry)} = ${fmt(sc.memory.memoryUsagePerServer)} B`,
        ],
        [
          `MEMORY USAGE of the audit-trail streams per mint (${sc.memory.auditLogEntries} entries)`,
          `${fmt(sc.memory.auditLogBytesPerMint)} B`,
        ],
        [
          `tools/list p50 / p99 ratio, ${sc.largeServers} vs ${sc.smallServers} servers (c=1, alternating, 100 servers each)`,
          `${fmt(sc.latency.p50Ratio.median)}× / ${fmt(sc.latency.p99Ratio.median)}×`,
        ],
      ],
    ),
    "",
    table(
      ["tools/list at c=1, alternating between the gateways", "requests each", "p50 ms", "p90 ms", "p99 ms"],
      (["small", "large"] as const).map((side) => [
        `${side === "small" ? sc.smallServers : sc.largeServers} servers`,
        String(sc.latency.runs.reduce((n, x) => n + x[side].count, 0)),
        fmt(median(sc.latency.runs.map((x) => x[side].p50))),
        fmt(median(sc.latency.runs.map((x) => x[side].p90))),
        fmt(median(sc.latency.runs.map((x) => x[side].p99))),
      ]),
    ),
    "",
    "## Expiry precision",
    "",
    `${ex.servers} servers, expiries ${ex.spacingMs} ms apart, minted by an instance whose clock ran ${ex.clockBehindMs / 1000} s behind (so a 60 s lead expires seconds later in real time); the gateway under test keeps the real clock. Each server probed back to back with tools/list from 30 ms before its expiry.`,
    "",
    table(
      ["ms relative to expires_at, over servers", "min", "p50", "p90", "p99", "max"],
      [
        ["first refusal arrived (after)", ex.firstRefusalAfterMs],
        ["that refused request was sent (after)", ex.firstRefusalSentAfterMs],
        ["last served request was sent (before)", ex.lastServedBeforeMs],
      ].map(([label, sm]) => {
        const summary = sm as Summary;
        return [
          label as string,
          ...[summary.min, summary.p50, summary.p90, summary.p99, summary.max].map((v) => fmt(v)),
        ];
      }),
    ),
    "",
    "The refusal itself is decided at the first request the gateway handles after expires_at; the arrival figure adds that request's own queueing and response time on this machine.",
    "",
    `Never refused within 2 s: ${ex.neverRefused}. Requests sent after expires_at and still served: ${ex.servedAfterExpiry}. Refused before expires_at: ${ex.refusedEarly}. Probes: ${ex.probes}.`,
    "",
    ...(r.requestLog === undefined
      ? []
      : [
          `## MCP request log: tools/call with the log on and off (c=${r.requestLog.connections}; two gateways, same Redis)`,
          "",
          table(
            ["gateway", "req/s", "p50 ms", "p99 ms", "CPU per call"],
            [
              runSummary(r.requestLog.runs, "log on", "gateway"),
              runSummary(r.requestLog.runs, "log off", "gateway-nolog"),
            ],
          ),
          "",
          `CPU ratio on / off per repeat: ${r.requestLog.cpuRatio.perRepeat.map((x) => fmt(x)).join(", ")}.`,
          "",
        ]),
    ...(r.eras === undefined
      ? []
      : [
          `## The two protocol eras side by side (c=${r.eras.connections}; gateway CPU per request)`,
          "",
          `Each request as a client of its era sends it: 2025-11-25 with MCP-Protocol-Version only, 2026-07-28 with the per-request \`_meta\` envelope and the Mcp-Method (and Mcp-Name) headers. The two requests of a pair run in alternating slices of ${fmt(r.settings.durationS / 4)} s (four per side and repeat), so the machine's noise falls on both; figures are medians over repeats. The rows marked (SDK) are the same 2026-07-28 requests through a gateway with MCP_DIRECT_ANSWERS=off (a fresh SDK server per request), measured once each.`,
          "",
          table(
            ["request", "req/s", "CPU per request"],
            [
              ...r.eras.pairs.flatMap((pair) =>
                [pair.legacy, pair.modern].map((name) => {
                  const sides = (r.eras?.runs ?? []).filter((side) => side.target === name);
                  return [
                    name,
                    fmt(median(sides.map((side) => side.rps))),
                    `${fmt(median(sides.map((side) => side.cpuMicrosPerResponse.gateway ?? Number.NaN)))} µs`,
                  ];
                }),
              ),
              ...r.eras.sdkRuns.map((run) => [
                run.target,
                fmt(run.rps),
                `${fmt(run.cpuMicrosPerResponse["gateway-sdk"] ?? Number.NaN)} µs`,
              ]),
            ],
          ),
          "",
          ...r.eras.pairs.map(
            (pair) =>
              `CPU ratio ${pair.modern} / ${pair.legacy} per repeat: ${pair.cpuRatio.perRepeat.map((x) => fmt(x)).join(", ")}.`,
          ),
          "",
        ]),
  ];
  return `${lines.filter((line, i, all) => !(line === "" && all[i - 1] === "")).join("\n")}\n`;
}
