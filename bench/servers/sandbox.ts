/** Benchmark child: the Mem0 sandbox (the upstream every tools/call reaches), alone in its own process. */
import { startSandbox } from "@mcp-gateway/mem0-sandbox";
import { serveChild } from "../lib/child.js";

const apiKey = process.env.BENCH_SANDBOX_API_KEY;
if (apiKey === undefined) throw new Error("BENCH_SANDBOX_API_KEY is required");

await serveChild(async () => {
  const sandbox = await startSandbox({ apiKeys: [apiKey], host: "127.0.0.1", port: 0, eventDelayMs: 0 });
  return { url: sandbox.url, close: () => sandbox.close() };
});
