/**
 * Runs the MCP test gateway (sandbox upstream, fixed tokens) on a fixed loopback port for manual client
 * runs such as the MCP conformance suite, and prints its MCP URLs as JSON. Its own origins are allowed,
 * as the suite's DNS-rebinding scenario expects of a localhost server. Stop it with Ctrl-C.
 *
 *   npx tsx apps/gateway/test/mcp-conformance-server.ts            # PORT=38700 by default
 */
import { startMcpTestGateway } from "./mcp-support.js";

const port = Number(process.env.PORT ?? 38700);
const gateway = await startMcpTestGateway(
  {},
  { port, allowedOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`] },
);
const { tokens } = gateway;
console.log(
  JSON.stringify({
    all: gateway.mcpUrl(tokens.all),
    read_only: gateway.mcpUrl(tokens.readOnly),
    discovery: gateway.mcpUrl(tokens.discovery),
  }),
);
process.once("SIGINT", () => void gateway.close().then(() => process.exit(0)));
process.once("SIGTERM", () => void gateway.close().then(() => process.exit(0)));
