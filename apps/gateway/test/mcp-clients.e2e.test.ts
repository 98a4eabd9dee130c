import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioSession as stdioSessionOf } from "../../../test/support/json-rpc.js";
import { type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

// The clients Claude users run, installed as root devDependencies: mcp-remote (Claude Desktop's stdio
// bridge) and the MCP Inspector CLI. Both talk to a gateway on loopback; nothing leaves the machine.
const bin = (name: string): string =>
  fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
const run = promisify(execFile);

let gateway: McpTestGateway;
let home: string;
beforeAll(async () => {
  gateway = await startMcpTestGateway();
  // Both clients write state under HOME (OAuth caches, ~/.mcp-inspector): keep it out of the real one.
  home = await mkdtemp(join(tmpdir(), "mcpg-clients-"));
});
afterAll(async () => {
  await gateway?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

type JsonRpcLine = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

/**
 * Runs mcp-remote as Claude Desktop does (a stdio child given the URL), writes JSON-RPC lines to its stdin
 * and collects answers until every request id has one.
 */
async function throughMcpRemote(
  args: string[],
  requests: Record<string, unknown>[],
): Promise<Map<number, JsonRpcLine>> {
  const child: ChildProcess = spawn(bin("mcp-remote"), args, {
    env: { ...process.env, HOME: home },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const wanted = requests.flatMap((request) => (typeof request.id === "number" ? [request.id] : []));
  const answers = new Map<number, JsonRpcLine>();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) =>
        reject(new Error(`mcp-remote exited (${code}) early:\n${stderr.slice(-2000)}`)),
      );
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const message = JSON.parse(line) as JsonRpcLine;
        if (typeof message.id === "number") answers.set(message.id, message);
        if (wanted.every((id) => answers.has(id))) resolve();
      });
      for (const request of requests) child.stdin?.write(`${JSON.stringify(request)}\n`);
    });
  } finally {
    child.kill();
  }
  return answers;
}

const stdioSession = stdioSessionOf("list_all_mem_0_projects");

describe("mcp-remote 0.15.1 over stdio", () => {
  it("lists tools and calls one through the URL alone, as in Claude Desktop's config", async () => {
    const answers = await throughMcpRemote([gateway.mcpUrl(gateway.tokens.all)], stdioSession);
    expect(answers.get(1)?.result).toMatchObject({ serverInfo: { name: "mcp-gateway" } });
    const tools = answers.get(2)?.result?.tools as { name: string }[];
    expect(tools.map((tool) => tool.name)).toContain("mem_0_memories_search");
    const call = answers.get(3)?.result as { content: { text: string }[]; isError?: boolean };
    expect(call.isError ?? false).toBe(false);
    expect(call.content[0]?.text).toContain(
      gateway.sandbox.accountFor(gateway.sandbox.apiKeys[0] ?? "").projectId,
    );
  });

  it("passes the tenant API token with --header for a server that requires it", async () => {
    const answers = await throughMcpRemote(
      [
        gateway.mcpUrl(gateway.tokens.protected),
        "--transport",
        "http-only",
        "--header",
        `Authorization:Bearer ${gateway.tokens.apiToken}`,
      ],
      stdioSession,
    );
    expect(answers.get(2)?.result?.tools).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "list_all_mem_0_projects" })]),
    );
    expect(answers.get(3)?.result).toMatchObject({ content: [{ type: "text" }] });
  });
});

describe("MCP Inspector 2.12.0 CLI", () => {
  async function inspector(args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(bin("mcp-inspector"), ["--cli", ...args], {
      env: { ...process.env, HOME: home },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  // The Inspector's portability check (--strict) names every finding on stderr, as "Warning:" or "Error:"
  // lines with the tool and the path; a clean list prints none and no summary count.
  it.each([
    ["legacy", "all"],
    ["modern", "all"],
    ["legacy", "discovery"],
  ] as const)(
    "finds no schema portability problem with --strict (%s era, %s tools)",
    async (protocolEra, server) => {
      const url = gateway.mcpUrl(gateway.tokens[server]);
      const args = [url, "--transport", "http", "--protocol-era", protocolEra, "--format", "json"];
      const { stdout, stderr } = await run(
        bin("mcp-inspector"),
        ["--cli", ...args, "--method", "tools/list", "--strict"],
        {
          env: { ...process.env, HOME: home },
          timeout: 30_000,
        },
      );
      const listed = JSON.parse(stdout) as {
        result?: { tools?: { outputSchema?: unknown }[] };
        schemaFindings?: unknown[];
      };
      expect(listed.result?.tools?.length).toBeGreaterThan(server === "all" ? 30 : 2);
      // The check reads output schemas too, and the full list carries them.
      const withOutput = listed.result?.tools?.filter((tool) => tool.outputSchema !== undefined) ?? [];
      expect(withOutput.length).toBeGreaterThan(server === "all" ? 30 : -1);
      expect(listed.schemaFindings).toBeUndefined();
      expect(stderr).not.toMatch(/Warning:|Error:|portability/i);
    },
  );

  it.each(["legacy", "modern"])("lists tools and calls one in the %s era", async (protocolEra) => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    const common = ["--transport", "http", "--protocol-era", protocolEra, "--format", "json", "-q"];
    const listed = await inspector([url, ...common, "--method", "tools/list"]);
    const tools = ((listed.result ?? listed) as { tools: { name: string }[] }).tools;
    expect(tools.map((tool) => tool.name)).toContain("list_all_mem_0_projects");

    const called = await inspector([
      url,
      ...common,
      "--method",
      "tools/call",
      "--tool-name",
      "mem_0_memories_search",
      "--tool-args-json",
      JSON.stringify({ query: "what food", filters: { user_id: "nobody" } }),
    ]);
    const result = (called.result ?? called) as { structuredContent?: unknown; isError?: boolean };
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual({ results: [] });
  });
});

describe("MCP Inspector 2.12.0 CLI on a URL scoped to one user", () => {
  it("sees every tool confined to the user and gets nothing of another user, whatever the filters ask", async () => {
    const sandboxCall = (path: string, body: unknown) =>
      fetch(`${gateway.sandbox.url}${path}`, {
        method: "POST",
        headers: { authorization: `Token ${gateway.sandbox.apiKeys[0]}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await sandboxCall("/v3/memories/add/", {
      messages: [{ role: "user", content: "Bob keeps a spare key under the mat" }],
      user_id: "usr-bob",
      infer: false,
    });
    const minted = await fetch(`${gateway.baseUrl}/integrated-account/${gateway.ids.accountId}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.tokens.apiToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Alice only", config: { scope: { user_id: "usr-alice" } } }),
    });
    expect(minted.status).toBe(201);
    const { url } = (await minted.json()) as { url: string };
    // The same search straight at the sandbox does find Bob's memory: only the scope keeps it out below.
    const search = { query: "spare key", filters: { OR: [{ user_id: "usr-bob" }, { user_id: "*" }] } };
    const unconfined = await (await sandboxCall("/v3/memories/search/", search)).text();
    expect(unconfined).toContain("spare key under the mat");
    const common = ["--transport", "http", "--format", "json", "-q"];
    const { stdout: listedText } = await run(
      bin("mcp-inspector"),
      ["--cli", url, ...common, "--method", "tools/list"],
      { env: { ...process.env, HOME: home }, timeout: 30_000 },
    );
    const listed = JSON.parse(listedText) as Record<string, unknown>;
    const tools = ((listed.result ?? listed) as { tools: { name: string; description: string }[] }).tools;
    expect(tools.map((tool) => tool.name)).not.toContain("list_all_mem_0_projects");
    for (const tool of tools) expect(tool.description).toContain('confined to user_id "usr-alice"');

    const { stdout: calledText } = await run(
      bin("mcp-inspector"),
      [
        "--cli",
        url,
        ...common,
        "--method",
        "tools/call",
        "--tool-name",
        "mem_0_memories_search",
        "--tool-args-json",
        JSON.stringify(search),
      ],
      { env: { ...process.env, HOME: home }, timeout: 30_000 },
    );
    expect(calledText).not.toContain("spare key under the mat");
    const called = JSON.parse(calledText) as Record<string, unknown>;
    const result = (called.result ?? called) as { structuredContent?: unknown; isError?: boolean };
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual({ results: [] });
  });
});
