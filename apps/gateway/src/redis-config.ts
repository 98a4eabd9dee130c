import { readFileSync } from "node:fs";
import type { RedisConnection, RedisEndpoint, RedisTls, RedisTopology } from "@mcp-gateway/store";

/** How access changes are acknowledged: WAIT for this many replicas, at most this long (see docs/storage-schema.md). */
export interface RedisWriteAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
}

export type RedisConfigResult =
  | { ok: true; connection: RedisConnection; writeAcks: RedisWriteAcks }
  | { ok: false; errors: string[] };

/** Reads a file named by a variable; injected so tests need no files. Throws with the system's reason. */
export type ReadConfigFile = (path: string) => string;

export const readConfigFile: ReadConfigFile = (path) => readFileSync(path, "utf8");

const DEFAULT_WAIT_TIMEOUT_MS = 500;

/**
 * Parses the Redis variables: the topology (REDIS_URL, REDIS_CLUSTER_NODES, or REDIS_SENTINELS with
 * REDIS_SENTINEL_MASTER), passwords, TLS files and write acknowledgement. Every message names its variable.
 * `env` holds only set, non-empty values.
 */
export function parseRedisConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaultUrl: string,
  readFile: ReadConfigFile,
): RedisConfigResult {
  const errors: string[] = [];
  const topology = parseTopology(env, defaultUrl, errors);
  const tls = parseTls(env, topology, readFile, errors);
  const defaultReplicas = topology?.kind === "standalone" ? 0 : 1;
  const replicas = wholeNumber(env, "REDIS_WAIT_REPLICAS", 0, 16, defaultReplicas, errors);
  const timeoutMs = wholeNumber(env, "REDIS_WAIT_TIMEOUT_MS", 1, 60_000, DEFAULT_WAIT_TIMEOUT_MS, errors);
  if (env.REDIS_SENTINEL_PASSWORD !== undefined && topology?.kind !== "sentinel") {
    errors.push("REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not: it is only used with Sentinel");
  }
  if (errors.length > 0 || topology === undefined) return { ok: false, errors };
  const connection: RedisConnection = Object.freeze({
    topology,
    ...(env.REDIS_PASSWORD === undefined ? {} : { password: env.REDIS_PASSWORD }),
    ...(env.REDIS_SENTINEL_PASSWORD === undefined ? {} : { sentinelPassword: env.REDIS_SENTINEL_PASSWORD }),
    ...(tls === undefined ? {} : { tls }),
  });
  return { ok: true, connection, writeAcks: Object.freeze({ replicas, timeoutMs }) };
}

function parseTopology(
  env: Readonly<Record<string, string | undefined>>,
  defaultUrl: string,
  errors: string[],
): RedisTopology | undefined {
  const set = ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"].filter(
    (name) => env[name] !== undefined,
  );
  if (set.length > 1) {
    errors.push(
      `${set.join(" and ")} are all set: set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS`,
    );
    return undefined;
  }
  if (env.REDIS_SENTINEL_MASTER !== undefined && env.REDIS_SENTINELS === undefined) {
    errors.push("REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is not: list the sentinels as host:port,…");
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    const nodes = parseEndpoints("REDIS_CLUSTER_NODES", env.REDIS_CLUSTER_NODES, errors);
    return nodes && { kind: "cluster", nodes };
  }
  if (env.REDIS_SENTINELS !== undefined) {
    const sentinels = parseEndpoints("REDIS_SENTINELS", env.REDIS_SENTINELS, errors);
    const masterName = env.REDIS_SENTINEL_MASTER;
    if (masterName === undefined) {
      errors.push("REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS: the master's name, e.g. mymaster");
      return undefined;
    }
    return sentinels && { kind: "sentinel", sentinels, masterName };
  }
  return { kind: "standalone", url: env.REDIS_URL ?? defaultUrl };
}

function parseEndpoints(name: string, value: string, errors: string[]): RedisEndpoint[] | undefined {
  const endpoints: RedisEndpoint[] = [];
  for (const part of value.split(",").map((p) => p.trim())) {
    // host:port, [v6]:port
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(part);
    const port = Number(match?.[2]);
    if (!match?.[1] || port < 1 || port > 65535) {
      errors.push(
        `${name} must be a comma-separated list of host:port such as 10.0.0.1:6379,10.0.0.2:6379 ("${part}")`,
      );
      return undefined;
    }
    endpoints.push({ host: match[1].replace(/^\[|\]$/g, ""), port });
  }
  return endpoints;
}

function parseTls(
  env: Readonly<Record<string, string | undefined>>,
  topology: RedisTopology | undefined,
  readFile: ReadConfigFile,
  errors: string[],
): RedisTls | undefined {
  const pem = (name: string, marker: RegExp): string | undefined => {
    const path = env[name];
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      errors.push(`${name}: cannot read ${path}: ${(error as Error).message}`);
      return undefined;
    }
    if (!marker.test(text)) errors.push(`${name}: ${path} holds no PEM block (-----BEGIN …-----)`);
    return text;
  };
  const ca = pem("REDIS_TLS_CA_FILE", /-----BEGIN CERTIFICATE-----/);
  const cert = pem("REDIS_TLS_CERT_FILE", /-----BEGIN CERTIFICATE-----/);
  const key = pem("REDIS_TLS_KEY_FILE", /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  const servername = env.REDIS_TLS_SERVERNAME;
  if ((env.REDIS_TLS_CERT_FILE === undefined) !== (env.REDIS_TLS_KEY_FILE === undefined)) {
    errors.push(
      "REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both for a client certificate, or neither",
    );
  }
  const anyTlsVariable = [ca, cert, key, servername].some((v) => v !== undefined);
  const url = topology?.kind === "standalone" ? topology.url : undefined;
  if (anyTlsVariable && url?.startsWith("redis://")) {
    errors.push(
      "REDIS_TLS_* is set but REDIS_URL is redis://: use rediss:// for TLS, or drop the REDIS_TLS_* variables",
    );
    return undefined;
  }
  if (!anyTlsVariable && !url?.startsWith("rediss://")) return undefined;
  return Object.freeze({
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(servername === undefined ? {} : { servername }),
  });
}

function wholeNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  min: number,
  max: number,
  fallback: number,
  errors: string[],
): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    errors.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}
