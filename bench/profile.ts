/**
 * Profiles the gateway under one workload: `tsx bench/profile.ts <tools-call|tools-list|forged|tools-call-2026|tools-list-2026|discover-2026|floor> [seconds]`.
 * Starts the bench's stack, warms the main gateway up, profiles it (V8 sampling profiler, in-process, for
 * the measured window only) at the bench's concurrency, saves the profile under bench/results/profiles/
 * and prints where its CPU time went. `floor` profiles the trivial process instead, under tools/list's
 * floor route (one MGET and the same bytes), so the two profiles can be read side by side.
 * Run `npm run build` first.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { REQUESTS_FIELD } from "./lib/profiles.js";
import { settings } from "./lib/settings.js";
import { post, probe } from "./lib/setup.js";
import { log, resultsDir, start } from "./lib/stack.js";
import type { CannonJob, CannonRequest, CannonResult } from "./load/jobs.js";

const workload = process.argv[2] ?? "tools-list";
const seconds = Number(process.argv[3] ?? 10);
const profiles = `${resultsDir}profiles`;
mkdirSync(profiles, { recursive: true });
const file = `${profiles}/${workload === "floor" ? "trivial" : "gateway"}-${workload}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`;

const stack: (() => Promise<void>)[] = [];
try {
  const bench = await start(stack);
  const { seeded } = bench;
  const forged = `${seeded.token.slice(0, seeded.token.lastIndexOf(".") + 1)}${"A".repeat(86)}`;
  // The floor answers as many bytes as the tools/list answer has.
  const { bytes } = await probe(`${bench.gateway.url}/mcp/${seeded.token}`, seeded.listBody);
  const jsonBody = { "content-type": "application/json" };
  const workloads: Record<string, { requests: CannonRequest[]; status: number; onTrivial?: true }> = {
    "tools-call": { requests: [post(`/mcp/${seeded.token}`, seeded.callBody)], status: 200 },
    "tools-list": { requests: [post(`/mcp/${seeded.token}`, seeded.listBody)], status: 200 },
    forged: { requests: [post(`/mcp/${forged}`, seeded.listBody)], status: 404 },
    "tools-call-2026": {
      requests: [post(`/mcp/${seeded.token}`, seeded.modern.call.body, seeded.modern.call.headers)],
      status: 200,
    },
    "tools-list-2026": {
      requests: [post(`/mcp/${seeded.token}`, seeded.modern.list.body, seeded.modern.list.headers)],
      status: 200,
    },
    "discover-2026": {
      requests: [post(`/mcp/${seeded.token}`, seeded.modern.discover.body, seeded.modern.discover.headers)],
      status: 200,
    },
    floor: { requests: [post(`/floor/${bytes}`, seeded.listBody, jsonBody)], status: 200, onTrivial: true },
  };
  const chosen = workloads[workload];
  if (chosen === undefined)
    throw new Error(`unknown workload ${workload}: use ${Object.keys(workloads).join(", ")}`);
  const profiled = chosen.onTrivial ? bench.trivial : bench.gateway;
  const job: CannonJob = {
    kind: "cannon",
    url: chosen.onTrivial ? new URL(bench.trivial.url).origin : bench.gateway.url,
    requests: chosen.requests,
    connections: settings.connections,
    durationS: seconds,
    expectStatus: chosen.status,
  };
  await bench.load.run<CannonResult>({ ...job, durationS: 2 }); // warm-up, not profiled
  log(
    `profiling the ${profiled.name} process under ${workload} for ${seconds} s at c=${settings.connections}`,
  );
  const cpuBefore = await profiled.cpuMicros();
  await profiled.profileStart();
  const result = await bench.load.run<CannonResult>(job);
  const profile = (await profiled.profileStop()) as object;
  // The answered requests ride along (DevTools ignores the field), so summaries can say µs per request.
  writeFileSync(file, JSON.stringify({ ...profile, [REQUESTS_FIELD]: result.responses }));
  const cpuPerCall = ((await profiled.cpuMicros()) - cpuBefore) / result.responses;
  log(
    `${result.rps.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, ${profiled.name} CPU ${cpuPerCall.toFixed(0)} µs per call (profiler on), statuses ${JSON.stringify(result.statuses)}`,
  );
} finally {
  for (const stop of stack.reverse()) await stop().catch(() => {});
}
log(`profile: ${file}`);
const summary = fileURLToPath(new URL("./profile-summary.ts", import.meta.url));
process.stdout.write(
  execFileSync(process.execPath, ["--import", "tsx", summary, file, "40"], { encoding: "utf8" }),
);
