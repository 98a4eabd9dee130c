/**
 * Runs the MCP test gateway (sandbox upstream, fixed tokens) on a fixed loopback port for manual client
 * runs such as the MCP conformance suite, and prints its MCP URLs as JSON. MCP_ALLOWED_ORIGINS stays unset:
 * listening on loopback, it accepts loopback origins by default, as the suite's DNS-rebinding scenario expects.
 * Stop it with Ctrl-C.
 *
 *   node --conditions=@mcp-gateway/source --import tsx apps/gateway/test/mcp-conformance-server.ts   # PORT=38700
 *
 * It spawns its own redis-server (removed on exit) unless REDIS_URL is set.
 */
import { spawnRedisServer } from "@mcp-gateway/store";
import { startMcpTestGateway } from "./mcp-support.js";

const port = Number(process.env.PORT ?? 38700);
const ownRedis = process.env.REDIS_URL ? undefined : await spawnRedisServer();
const gateway = await startMcpTestGateway(
  {},
  { port, allowedOrigins: [] },
  { url: process.env.REDIS_URL ?? ownRedis?.url ?? "", keyPrefix: "mcpg-conformance:" },
);
const { tokens } = gateway;
console.log(
  JSON.stringify({
    all: gateway.mcpUrl(tokens.all),
    read_only: gateway.mcpUrl(tokens.readOnly),
    discovery: gateway.mcpUrl(tokens.discovery),
  }),
);
const stop = (): void => {
  void gateway
    .close()
    .then(() => ownRedis?.dispose())
    .then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
