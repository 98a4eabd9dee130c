/**
 * Benchmark child: the load generator, in its own process so its CPU never counts against a server.
 * Jobs: `cannon` (autocannon at a fixed concurrency, with every response time kept at microsecond
 * precision; autocannon's own histogram rounds to whole milliseconds), `mint` (MCP servers through the
 * admin API, to time minting), and `expiry` (probes each server around its expires_at).
 */
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { Pool } from "undici";
import { serveChild } from "../lib/child.js";
import { summarize } from "../lib/stats.js";
import type {
  AlternateJob,
  AlternateResult,
  CannonJob,
  CannonResult,
  ExpiryJob,
  ExpiryOutcome,
  MintJob,
  MintResult,
} from "./jobs.js";

async function cannon(job: CannonJob): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let responses = 0;
    const started = performance.now();
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationS,
        timeout: 10,
        requests: job.requests,
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsedS = (performance.now() - started) / 1000;
        resolve({
          responses,
          elapsedS,
          rps: responses / result.duration,
          latencyMs: summarize(latencies),
          statuses,
          unexpected: responses - (statuses[String(job.expectStatus)] ?? 0),
          errors: result.errors,
          timeouts: result.timeouts,
          autocannon: {
            rps: result.requests.average,
            p50: result.latency.p50,
            p99: result.latency.p99,
            total: result.requests.total,
          },
        });
      },
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      responses += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === job.expectStatus) latencies.push(ms);
    });
  });
}

async function alternate(job: AlternateJob): Promise<AlternateResult> {
  const pools = job.sides.map((side) => new Pool(side.origin, { connections: 1 }));
  const samples: number[][] = job.sides.map(() => []);
  const deadline = performance.now() + job.durationS * 1000;
  let pairs = 0;
  while (performance.now() < deadline) {
    for (const [i, side] of job.sides.entries()) {
      const request = side.requests[pairs % side.requests.length]!;
      const started = performance.now();
      const response = await pools[i]!.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      await response.body.dump();
      samples[i]!.push(performance.now() - started);
      if (response.statusCode !== job.expectStatus) {
        throw new Error(`${side.origin} answered ${response.statusCode}, expected ${job.expectStatus}`);
      }
    }
    pairs += 1;
  }
  await Promise.all(pools.map((pool) => pool.close()));
  return { latencyMs: samples.map(summarize), pairs };
}

async function mint(job: MintJob): Promise<MintResult> {
  const origin = new URL(job.url).origin;
  const pool = new Pool(origin, { connections: job.concurrency });
  const tokens: { index: number; token: string }[] = [];
  const failures: string[] = [];
  let minted = 0;
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= job.count) return;
      const account = job.accounts[i % job.accounts.length]!;
      const response = await pool.request({
        method: "POST",
        path: `/integrated-account/${account.id}/mcp`,
        headers: { authorization: `Bearer ${account.apiToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: `${job.namePrefix} ${i}`,
          config: job.config,
          expires_at: job.expiresAt[i] ?? job.expiresAt[0] ?? null,
        }),
      });
      const text = await response.body.text();
      if (response.statusCode !== 201 && response.statusCode !== 200) {
        if (failures.length < 5) failures.push(`${response.statusCode} ${text.slice(0, 300)}`);
        continue;
      }
      minted += 1;
      if (tokens.length < job.keepTokens)
        tokens.push({ index: i, token: (JSON.parse(text) as { token: string }).token });
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  await pool.close();
  return { minted, elapsedS, tokens, failures };
}

/**
 * For each server: from `leadMs` before its expiry, sends requests back to back (one in flight) until the
 * first refusal, and reports when that refusal arrived relative to expires_at, and whether any request
 * sent after expires_at was still served.
 */
/**
 * Wall-clock milliseconds, the clock the gateway compares expires_at with. (timeOrigin + performance.now()
 * would give sub-millisecond figures, but the monotonic clock drifts from the wall clock over a long run.)
 */
function now(): number {
  return Date.now();
}

async function expiry(job: ExpiryJob): Promise<ExpiryOutcome[]> {
  const base = new URL(job.baseUrl);
  const pool = new Pool(base.origin, { connections: 16 });
  const probe = async (target: { path: string; expiresAt: number }): Promise<ExpiryOutcome> => {
    const wait = target.expiresAt - job.leadMs - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let servedAfter = 0;
    let probes = 0;
    let lastServedAt: number | null = null;
    for (;;) {
      const sentAt = now();
      probes += 1;
      const response = await pool.request({
        method: "POST",
        path: target.path,
        headers: job.headers,
        body: job.body,
      });
      await response.body.dump();
      const arrivedAt = now();
      if (response.statusCode === job.refusedStatus) {
        return {
          expiresAt: target.expiresAt,
          firstRefusalAfterMs: arrivedAt - target.expiresAt,
          firstRefusalSentAfterMs: sentAt - target.expiresAt,
          lastServedBeforeMs: lastServedAt === null ? null : target.expiresAt - lastServedAt,
          servedAfterExpiry: servedAfter,
          probes,
        };
      }
      if (response.statusCode !== 200) throw new Error(`probe answered ${response.statusCode}`);
      lastServedAt = sentAt;
      if (sentAt > target.expiresAt) servedAfter += 1;
      if (arrivedAt - target.expiresAt > job.giveUpAfterMs) {
        return {
          expiresAt: target.expiresAt,
          firstRefusalAfterMs: null,
          firstRefusalSentAfterMs: null,
          lastServedBeforeMs: null,
          servedAfterExpiry: servedAfter,
          probes,
        };
      }
    }
  };
  const outcomes = await Promise.all(job.targets.map(probe));
  await pool.close();
  return outcomes;
}

await serveChild(
  async () => ({ url: "", close: async () => {} }),
  async (raw) => {
    const job = raw as CannonJob | MintJob | ExpiryJob | AlternateJob;
    if (job.kind === "cannon") return cannon(job);
    if (job.kind === "alternate") return alternate(job);
    if (job.kind === "mint") return mint(job);
    return expiry(job);
  },
);
