import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RedisProcesses,
  startMutualTlsRedis,
  type TlsMaterial,
} from "../../../test/support/redis-topologies.js";
import { connectRedis, createRedis, type RedisConnection } from "../src/index.js";

// A TLS-only redis-server that requires a client certificate signed by the test CA (mutual TLS).
const processes = new RedisProcesses();
let tls: TlsMaterial;
let port: number;

beforeAll(async () => {
  ({ tls, port } = await startMutualTlsRedis(processes));
});
afterAll(() => processes.stopAll());

function connection(
  files: { ca?: string; cert?: string; key?: string },
  servername?: string,
): RedisConnection {
  const read = (path: string | undefined) => (path === undefined ? {} : readFileSync(path, "utf8"));
  return {
    topology: { kind: "standalone", url: `rediss://127.0.0.1:${port}` },
    tls: {
      ...(files.ca === undefined ? {} : { ca: read(files.ca) as string }),
      ...(files.cert === undefined ? {} : { cert: read(files.cert) as string }),
      ...(files.key === undefined ? {} : { key: read(files.key) as string }),
      ...(servername === undefined ? {} : { servername }),
    },
  };
}

async function tryConnect(target: RedisConnection): Promise<string> {
  const redis = createRedis(target, { keyPrefix: "tls-test:" });
  try {
    await connectRedis(redis, target);
    await redis.set("k", "v");
    return `ok ${await redis.get("k")}`;
  } catch (error) {
    return (error as Error).message;
  } finally {
    redis.disconnect();
  }
}

describe("Redis over TLS", () => {
  it("connects with the CA and a client certificate (mutual TLS)", async () => {
    expect(await tryConnect(connection({ ca: tls.caFile, cert: tls.clientCert, key: tls.clientKey }))).toBe(
      "ok v",
    );
  });

  it("checks the server name it is told to expect", async () => {
    const ok = connection({ ca: tls.caFile, cert: tls.clientCert, key: tls.clientKey }, "localhost");
    expect(await tryConnect(ok)).toBe("ok v");
    const wrong = connection({ ca: tls.caFile, cert: tls.clientCert, key: tls.clientKey }, "redis.example");
    expect(await tryConnect(wrong)).toMatch(
      /cannot connect to Redis at rediss:\/\/127\.0\.0\.1:\d+: .*redis\.example/,
    );
  });

  it("says why when the client certificate is missing, not just that the connection closed", async () => {
    const message = await tryConnect(connection({ ca: tls.caFile }));
    expect(message).toMatch(/^cannot connect to Redis at rediss:\/\/127\.0\.0\.1:\d+: /);
    expect(message).not.toMatch(/^cannot connect to Redis at [^:]+:\/\/[^ ]+: Connection is closed\.$/);
    expect(message).toMatch(/certificate required|ECONNRESET/i);
    expect(message).toMatch(/may require a client certificate \(REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE\)/);
  });

  it("refuses a server its CA did not sign, naming the certificate problem", async () => {
    const message = await tryConnect(
      connection({ ca: tls.otherCaFile, cert: tls.clientCert, key: tls.clientKey }),
    );
    expect(message).toMatch(/self[- ]signed|unable to verify|certificate/i);
  });
});
