import { freePort } from "@mcp-gateway/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpStatus } from "../../../test/support/failover-stream.js";
import { capturingLogger, startTestStack, testConfig } from "../../../test/support/gateway.js";
import {
  RedisProcesses,
  startMutualTlsRedis,
  type TlsMaterial,
} from "../../../test/support/redis-topologies.js";
import { startGateway } from "../src/runtime.js";

// The gateway on a TLS-only Redis that requires a client certificate, configured by REDIS_TLS_* files.
const processes = new RedisProcesses();
let tls: TlsMaterial;
let port: number;

beforeAll(async () => {
  ({ tls, port } = await startMutualTlsRedis(processes));
});
afterAll(() => processes.stopAll());

describe("the gateway on Redis over mutual TLS", () => {
  it("serves the admin and MCP flow with the CA, the client certificate and the server name", async () => {
    const stack = await startTestStack(
      { url: `rediss://127.0.0.1:${port}`, keyPrefix: "mcpg-tls:" },
      {
        env: {
          REDIS_TLS_CA_FILE: tls.caFile,
          REDIS_TLS_CERT_FILE: tls.clientCert,
          REDIS_TLS_KEY_FILE: tls.clientKey,
          REDIS_TLS_SERVERNAME: "localhost",
        },
      },
    );
    try {
      expect((await stack.call("GET", "/readyz")).status).toBe(200);
      const { apiToken } = await stack.createTenant("TLS Co");
      const accountId = await stack.connectMem0(apiToken);
      const minted = await stack.mint(apiToken, accountId, { name: "s", config: { methods: ["read"] } });
      expect(await mcpStatus(minted.url)).toBe(200);
      const path = `/integrated-account/${accountId}/mcp/${minted.id}`;
      expect((await stack.call("DELETE", path, { token: apiToken })).status).toBe(200);
      expect(await mcpStatus(minted.url)).toBe(404);
    } finally {
      await stack.close();
    }
  });

  it("refuses to start without the client certificate, saying why", async () => {
    const config = testConfig({
      PORT: String(await freePort()),
      REDIS_URL: `rediss://127.0.0.1:${port}`,
      REDIS_TLS_CA_FILE: tls.caFile,
    });
    const failure = await startGateway(config, capturingLogger().logger).then(
      async (gateway) => {
        await gateway.close();
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/^cannot connect to Redis at rediss:\/\/127\.0\.0\.1:\d+: /);
    expect(failure).toMatch(/may require a client certificate \(REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE\)/);
  });
});
