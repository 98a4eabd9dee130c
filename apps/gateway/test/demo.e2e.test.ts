import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ProcessHandle, runTsEntry } from "../../../test/support/processes.js";
import { connectClient } from "./mcp-support.js";

// `npm run demo -- --json`, as a script would drive it: everything starts, a usable MCP URL comes out,
// and Ctrl-C stops it all. (Needs the sandbox built: `npm test` builds before running the tests.)

describe("the demo", () => {
  let demo: ProcessHandle | undefined;
  afterEach(async () => {
    if (demo && demo.child.exitCode === null) {
      // SIGINT first, so the demo stops its Redis and sandbox even when the test failed half-way;
      // SIGKILL only if it does not finish (it would leave those children behind).
      demo.child.kill("SIGINT");
      const stopped = await Promise.race([
        demo.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      if (!stopped) demo.child.kill("SIGKILL");
      await demo.exited;
    }
  });

  it("prints one JSON object with a working MCP URL, and stops cleanly on SIGINT", async () => {
    demo = runTsEntry("apps/gateway/src/demo.ts", { PORT: "0", NODE_ENV: "development" }, ["--json"]);
    const line = await demo.waitForLine(/^\{"gateway_url"/);
    const printed = JSON.parse(line) as Record<string, string>;
    expect(Object.keys(printed)).toEqual(
      expect.arrayContaining([
        "gateway_url",
        "mcp_url",
        "api_token",
        "admin_token",
        "sandbox_url",
        "sandbox_api_key",
      ]),
    );
    expect(printed.api_token).toMatch(/^mcpg_at_/);
    expect(printed.mcp_url).toMatch(new RegExp(`^${printed.gateway_url}/mcp/`));
    expect(printed.console_url).toBe(`${printed.gateway_url}/console`);
    const signIn = await fetch(printed.console_url ?? "");
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain("API token");

    const { client } = await connectClient(printed.mcp_url ?? "", "2025-11-25");
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["create_a_mem_0_memory", "mem_0_memories_search"]));
    const added = await client.callTool({
      name: "create_a_mem_0_memory",
      arguments: { messages: [{ role: "user", content: "I prefer window seats." }], user_id: "alice" },
    });
    expect(added.isError).toBeFalsy();
    await client.close();

    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(0);
    // stdout is the JSON line alone (logs go to stderr), and the demo says it stopped.
    expect(demo.stdout()).toBe(`${line}\n`);
    expect(demo.output()).toContain("mcp-gateway demo: stopped.");
  });

  it("names PORT when its port is taken (a second demo)", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      demo = runTsEntry("apps/gateway/src/demo.ts", { PORT: String(port), NODE_ENV: "development" }, [
        "--json",
      ]);
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain(`EADDRINUSE`);
      expect(demo.output()).toMatch(/choose another port with PORT, e\.g\. PORT=8081/);
      expect(demo.stdout()).toBe("");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
