import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const secret = () => "generated-secret-generated-secret-0123456789";
const PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const files: Record<string, string> = {
  "/ca.pem": PEM_CERT,
  "/client.pem": PEM_CERT,
  "/client.key": PEM_KEY,
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return text;
};

function load(env: Record<string, string>) {
  return loadConfig(env, secret, readFile);
}
function errorsOf(env: Record<string, string>): string {
  const result = load(env);
  return result.ok ? "" : result.errors.join("\n");
}

describe("Redis configuration", () => {
  it("defaults to a standalone Redis on loopback, with no TLS and no replica acknowledgement", () => {
    const result = load({});
    expect(result.ok && result.config.redis).toEqual({
      topology: { kind: "standalone", url: "redis://127.0.0.1:6379" },
    });
    expect(result.ok && result.config.redisWriteAcks).toEqual({ replicas: 0, timeoutMs: 500 });
  });

  it("reads Cluster seed nodes and waits for one replica by default", () => {
    const result = load({
      REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-b:7001,[::1]:7002",
      REDIS_PASSWORD: "pw",
    });
    expect(result.ok && result.config.redis).toEqual({
      topology: {
        kind: "cluster",
        nodes: [
          { host: "10.0.0.1", port: 7000 },
          { host: "redis-b", port: 7001 },
          { host: "::1", port: 7002 },
        ],
      },
      password: "pw",
    });
    expect(result.ok && result.config.redisWriteAcks.replicas).toBe(1);
  });

  it("reads sentinels, the master name and both passwords", () => {
    const result = load({
      REDIS_SENTINELS: "s1:26379,s2:26379",
      REDIS_SENTINEL_MASTER: "mymaster",
      REDIS_PASSWORD: "data",
      REDIS_SENTINEL_PASSWORD: "sentinel",
      REDIS_WAIT_REPLICAS: "2",
      REDIS_WAIT_TIMEOUT_MS: "250",
    });
    expect(result.ok && result.config.redis).toEqual({
      topology: {
        kind: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "s2", port: 26379 },
        ],
        masterName: "mymaster",
      },
      password: "data",
      sentinelPassword: "sentinel",
    });
    expect(result.ok && result.config.redisWriteAcks).toEqual({ replicas: 2, timeoutMs: 250 });
  });

  it("reads the CA, the client certificate and key, and the server name", () => {
    const result = load({
      REDIS_URL: "rediss://redis.internal:6380",
      REDIS_TLS_CA_FILE: "/ca.pem",
      REDIS_TLS_CERT_FILE: "/client.pem",
      REDIS_TLS_KEY_FILE: "/client.key",
      REDIS_TLS_SERVERNAME: "redis.internal",
    });
    expect(result.ok && result.config.redis.tls).toEqual({
      ca: PEM_CERT,
      cert: PEM_CERT,
      key: PEM_KEY,
      servername: "redis.internal",
    });
  });

  it("turns TLS on for a rediss:// URL without any file (system CAs)", () => {
    const result = load({ REDIS_URL: "rediss://redis.internal:6380" });
    expect(result.ok && result.config.redis.tls).toEqual({});
  });

  it("refuses two topologies at once, naming both", () => {
    expect(errorsOf({ REDIS_URL: "redis://x:1", REDIS_CLUSTER_NODES: "a:1" })).toMatch(
      /REDIS_URL and REDIS_CLUSTER_NODES are all set: set only one of/,
    );
  });

  it("refuses sentinels without a master name, and a master name without sentinels", () => {
    expect(errorsOf({ REDIS_SENTINELS: "s1:26379" })).toMatch(
      /REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS/,
    );
    expect(errorsOf({ REDIS_SENTINEL_MASTER: "m" })).toMatch(
      /REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is not/,
    );
    expect(errorsOf({ REDIS_SENTINEL_PASSWORD: "p" })).toMatch(
      /REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS/,
    );
  });

  it("refuses a node list that is not host:port, quoting the bad entry", () => {
    expect(errorsOf({ REDIS_CLUSTER_NODES: "a:1,b" })).toMatch(
      /REDIS_CLUSTER_NODES must be a comma-separated list of host:port .*\("b"\)/,
    );
    expect(errorsOf({ REDIS_SENTINELS: "a:99999", REDIS_SENTINEL_MASTER: "m" })).toMatch(
      /REDIS_SENTINELS must be/,
    );
  });

  it("refuses unreadable or non-PEM TLS files, naming the variable and the reason", () => {
    expect(errorsOf({ REDIS_URL: "rediss://r:1", REDIS_TLS_CA_FILE: "/missing.pem" })).toMatch(
      /REDIS_TLS_CA_FILE: cannot read \/missing.pem: ENOENT/,
    );
    expect(errorsOf({ REDIS_URL: "rediss://r:1", REDIS_TLS_CA_FILE: "/client.key" })).toMatch(
      /REDIS_TLS_CA_FILE: \/client.key holds no PEM block/,
    );
  });

  it("refuses a client certificate without its key", () => {
    expect(errorsOf({ REDIS_URL: "rediss://r:1", REDIS_TLS_CERT_FILE: "/client.pem" })).toMatch(
      /REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together/,
    );
  });

  it("refuses TLS files with a plain redis:// URL", () => {
    expect(errorsOf({ REDIS_URL: "redis://r:1", REDIS_TLS_CA_FILE: "/ca.pem" })).toMatch(
      /use rediss:\/\/ for TLS/,
    );
  });

  it("refuses a replica count or timeout out of range", () => {
    expect(errorsOf({ REDIS_WAIT_REPLICAS: "-1" })).toMatch(
      /REDIS_WAIT_REPLICAS must be a whole number from 0 to 16/,
    );
    expect(errorsOf({ REDIS_WAIT_TIMEOUT_MS: "0" })).toMatch(
      /REDIS_WAIT_TIMEOUT_MS must be a whole number from 1/,
    );
  });
});
