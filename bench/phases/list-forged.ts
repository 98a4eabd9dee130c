/**
 * 2. tools/list with a valid token, and 3. forged tokens, each against the trivial fastify route, side by
 * side. Redis commands are counted from INFO commandstats around every run: forged tokens must cost none.
 */

import { randomBytes } from "node:crypto";
import { settings } from "../lib/settings.js";
import { admin, jsonRpcFrom, post, probe, redisCommandCount, redisQuiet } from "../lib/setup.js";
import { startSideGateway } from "../lib/stack.js";
import { median } from "../lib/stats.js";
import { type Bench, interleave, type Measured, measure, rotate, type Target } from "./types.js";

export interface ListForgedResults {
  runs: Measured[];
  listRatio: { perRepeat: number[]; median: number };
  /** The same on a server with one tool: separates per-request cost from the size of the answer. */
  listOneToolRatio: { perRepeat: number[]; median: number };
  listOneToolResponseBytes: number;
  forgedRatio: { perRepeat: number[]; median: number };
  /** Floors, against the trivial route: the same bytes from a bare route, and one Redis MGET plus them. */
  floorBytesRatio: { perRepeat: number[]; median: number };
  floorRedisRatio: { perRepeat: number[]; median: number };
  /**
   * tools/list against its floor (one MGET plus the same bytes), in interleaved slices per repeat: throughput
   * ratio, and the floor's CPU per request over the gateway's (the same comparison, less exposed to noise).
   */
  listToFloorRatio: { perRepeat: number[]; median: number };
  /** Absent in results recorded before it was measured. */
  listToFloorCpuRatio?: { perRepeat: number[]; median: number };
  /**
   * The same comparison through a gateway with MCP_REQUEST_LOG=off, to show what the request log costs
   * tools/list (the goal was set before the log existed). Absent in results recorded before it was measured.
   */
  listNoLogToFloorRatio?: { perRepeat: number[]; median: number };
  listNoLogToFloorCpuRatio?: { perRepeat: number[]; median: number };
  /** The floor for forged tokens: a bare route running the same token check, against the trivial route. */
  floorVerifyRatio: { perRepeat: number[]; median: number };
  /** All Redis commands during every forged-token run (warm-ups included), summed. */
  forgedRedisCommands: number;
  forgedResponses: number;
  /** Redis commands per tools/list response (for reference). */
  listRedisCommandsPerCall: number;
  listResponseBytes: number;
  gatewayCpuMicrosPerList: number;
  gatewayCpuMicrosPerForged: number;
}

/**
 * Forged tokens of two kinds, all distinct: a real header and payload under a random signature, and a
 * real signature over an edited payload (another server id). Both must fail on the CPU alone. The random
 * signatures have the length of a real HS256 tag (32 bytes, 43 base64url characters), so they are refused
 * by the HMAC comparison itself, not by a cheaper length check.
 */
function forgeries(token: string, count: number): string[] {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error("the seeded token is not a compact JWS");
  }
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      out.push(`${header}.${payload}.${randomBytes(32).toString("base64url")}`);
    } else {
      const edited = { ...claims, srv: `mcp_${randomBytes(10).toString("hex")}` };
      out.push(`${header}.${Buffer.from(JSON.stringify(edited)).toString("base64url")}.${signature}`);
    }
  }
  return out;
}

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

export async function measureListAndForged(bench: Bench): Promise<ListForgedResults> {
  const { seeded } = bench;
  const listPath = `/mcp/${seeded.token}`;
  const listed = await probe(`${bench.gateway.url}${listPath}`, seeded.listBody);
  const tools = (jsonRpcFrom(listed.text).result as { tools?: unknown[] } | undefined)?.tools;
  if (listed.status !== 200 || tools?.length !== seeded.toolCount) {
    throw new Error(
      `tools/list answered ${listed.status} with ${tools?.length} tools (want ${seeded.toolCount})`,
    );
  }
  const oneTool = await admin(
    bench.gateway.url,
    "POST",
    `/integrated-account/${seeded.accountId}/mcp`,
    seeded.apiToken,
    {
      name: "Bench: search only",
      config: { tags: ["search"] },
      expires_at: null,
    },
  );
  const oneToolPath = `/mcp/${oneTool.token as string}`;
  const oneListed = await probe(`${bench.gateway.url}${oneToolPath}`, seeded.listBody);
  const oneTools = (jsonRpcFrom(oneListed.text).result as { tools?: unknown[] } | undefined)?.tools;
  if (oneListed.status !== 200 || oneTools?.length !== 1) {
    throw new Error(
      `tools/list on the one-tool server answered ${oneListed.status} with ${oneTools?.length} tools`,
    );
  }
  const forged = forgeries(seeded.token, 64);
  for (const token of forged.slice(0, 2)) {
    const refused = await probe(`${bench.gateway.url}/mcp/${token}`, seeded.listBody);
    if (refused.status !== 404) throw new Error(`a forged token answered ${refused.status}, not 404`);
  }
  const trivialUrl = new URL(bench.trivial.url);
  // Targets on the gateway (MCP headers, charged to its CPU) and on the trivial process, whose floor
  // routes (servers/trivial.ts) take the same body as plain JSON.
  const onGateway = (name: string, paths: string[], expectStatus: number): Target => ({
    name,
    origin: bench.gateway.url,
    requests: paths.map((path) => post(path, seeded.listBody)),
    expectStatus,
    cpuOf: [bench.gateway],
  });
  const onTrivial = (name: string, paths: string[], expectStatus: number): Target => ({
    name,
    origin: trivialUrl.origin,
    requests: paths.map((path) => post(path, seeded.listBody, { "content-type": "application/json" })),
    expectStatus,
    cpuOf: [bench.trivial],
  });
  const trivial = onTrivial("trivial", [trivialUrl.pathname], 200);
  const list = onGateway("tools/list", [listPath], 200);
  const listOne = onGateway("tools/list (1 tool)", [oneToolPath], 200);
  const floorBytes = onTrivial("floor: bytes", [`/bytes/${listed.bytes}`], 200);
  const floorRedis = onTrivial("floor: MGET + bytes", [`/floor/${listed.bytes}`], 200);
  const floorVerify = onTrivial(
    "floor: token check",
    forged.map((token) => `/verify/${token}`),
    404,
  );
  const counters = async (): Promise<Record<string, number>> =>
    (await redisCommandCount(bench.redisSmall)).byCommand;
  list.counters = counters;
  const forgedTarget: Target = {
    ...onGateway(
      "forged",
      forged.map((token) => `/mcp/${token}`),
      404,
    ),
    counters,
    // The request log's last records of the previous target flush within milliseconds: not the forgeries'.
    before: () => redisQuiet(bench.redisSmall),
  };

  const runs: ListForgedResults["runs"] = [];
  const listRatio: number[] = [];
  const forgedRatio: number[] = [];
  const oneRatio: number[] = [];
  const floorBytesRatio: number[] = [];
  const floorRedisRatio: number[] = [];
  const floorVerifyRatio: number[] = [];
  for (let rep = 0; rep < settings.repeats; rep++) {
    const byName: Record<string, Measured> = {};
    for (const target of rotate(
      [trivial, list, forgedTarget, listOne, floorBytes, floorRedis, floorVerify],
      rep,
    )) {
      const run = await measure(bench, target, settings.connections);
      runs.push(run);
      byName[target.name] = run;
      const commands =
        run.countersMeasured === undefined ? "" : `, redis commands ${sum(run.countersMeasured)}`;
      bench.log(
        `  ${target.name}: ${run.rps.toFixed(0)} req/s, p50 ${run.latencyMs.p50.toFixed(2)} ms${commands}`,
      );
    }
    listRatio.push(byName["tools/list"]!.rps / byName.trivial!.rps);
    forgedRatio.push(byName.forged!.rps / byName.trivial!.rps);
    oneRatio.push(byName["tools/list (1 tool)"]!.rps / byName.trivial!.rps);
    floorBytesRatio.push(byName["floor: bytes"]!.rps / byName.trivial!.rps);
    floorRedisRatio.push(byName["floor: MGET + bytes"]!.rps / byName.trivial!.rps);
    floorVerifyRatio.push(byName["floor: token check"]!.rps / byName.trivial!.rps);
  }
  // The target itself, tools/list against its floor, in alternating slices so the machine's noise falls on both.
  const listToFloorRatio: number[] = [];
  const listToFloorCpuRatio: number[] = [];
  for (let rep = 0; rep < settings.repeats; rep++) {
    const [listed, floor] = await interleave(bench, list, floorRedis, settings.connections, {
      slices: 4,
      sliceS: settings.durationS / 4,
      warmupS: 0,
    });
    listToFloorRatio.push(listed.rps / floor.rps);
    const listCpu = listed.cpuMicrosPerResponse.gateway ?? Number.NaN;
    const floorCpu = floor.cpuMicrosPerResponse.trivial ?? Number.NaN;
    listToFloorCpuRatio.push(floorCpu / listCpu);
    bench.log(
      `  tools/list vs its floor, interleaved: ${listed.rps.toFixed(0)} vs ${floor.rps.toFixed(0)} req/s, ${listCpu.toFixed(0)} vs ${floorCpu.toFixed(0)} µs CPU`,
    );
  }
  // The same through an identical gateway with the request log off.
  const noLog = await startSideGateway(bench, "gateway-nolog", { MCP_REQUEST_LOG: "off" });
  const noLogToFloorRatio: number[] = [];
  const noLogToFloorCpuRatio: number[] = [];
  try {
    const listNoLog: Target = {
      ...list,
      name: "tools/list (request log off)",
      origin: noLog.url,
      cpuOf: [noLog],
      counters: undefined,
    };
    for (let rep = 0; rep < settings.repeats; rep++) {
      const [listed, floor] = await interleave(bench, listNoLog, floorRedis, settings.connections, {
        slices: 4,
        sliceS: settings.durationS / 4,
        // A fresh process: warmed up longer than one run's warm-up, as the main gateway served every phase so far.
        warmupS: rep === 0 ? 3 * settings.warmupS : 0,
      });
      noLogToFloorRatio.push(listed.rps / floor.rps);
      const listCpu = listed.cpuMicrosPerResponse["gateway-nolog"] ?? Number.NaN;
      const floorCpu = floor.cpuMicrosPerResponse.trivial ?? Number.NaN;
      noLogToFloorCpuRatio.push(floorCpu / listCpu);
      bench.log(
        `  tools/list with the request log off vs its floor, interleaved: ${listed.rps.toFixed(0)} vs ${floor.rps.toFixed(0)} req/s, ${listCpu.toFixed(0)} vs ${floorCpu.toFixed(0)} µs CPU`,
      );
    }
  } finally {
    await noLog.stop();
  }
  const forgedRuns = runs.filter((r) => r.target === "forged");
  const listRuns = runs.filter((r) => r.target === "tools/list");
  const listCommands = listRuns.reduce((total, r) => total + sum(r.countersMeasured ?? {}), 0);
  const listResponses = listRuns.reduce((total, r) => total + r.responses, 0);
  return {
    runs,
    listRatio: { perRepeat: listRatio, median: median(listRatio) },
    forgedRatio: { perRepeat: forgedRatio, median: median(forgedRatio) },
    listOneToolRatio: { perRepeat: oneRatio, median: median(oneRatio) },
    floorBytesRatio: { perRepeat: floorBytesRatio, median: median(floorBytesRatio) },
    floorRedisRatio: { perRepeat: floorRedisRatio, median: median(floorRedisRatio) },
    listToFloorRatio: { perRepeat: listToFloorRatio, median: median(listToFloorRatio) },
    listToFloorCpuRatio: { perRepeat: listToFloorCpuRatio, median: median(listToFloorCpuRatio) },
    listNoLogToFloorRatio: { perRepeat: noLogToFloorRatio, median: median(noLogToFloorRatio) },
    listNoLogToFloorCpuRatio: { perRepeat: noLogToFloorCpuRatio, median: median(noLogToFloorCpuRatio) },
    floorVerifyRatio: { perRepeat: floorVerifyRatio, median: median(floorVerifyRatio) },
    listOneToolResponseBytes: oneListed.bytes,
    forgedRedisCommands: forgedRuns.reduce(
      (total, r) => total + sum(r.countersWarmup ?? {}) + sum(r.countersMeasured ?? {}),
      0,
    ),
    forgedResponses: forgedRuns.reduce((total, r) => total + r.responses, 0),
    listRedisCommandsPerCall: listCommands / listResponses,
    listResponseBytes: listed.bytes,
    gatewayCpuMicrosPerList: median(listRuns.map((r) => r.cpuMicrosPerResponse.gateway ?? Number.NaN)),
    gatewayCpuMicrosPerForged: median(forgedRuns.map((r) => r.cpuMicrosPerResponse.gateway ?? Number.NaN)),
  };
}
