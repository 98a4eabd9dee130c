import { LIMITS } from "@mcp-gateway/core";
import { allTools, mem0, type Tool } from "@mcp-gateway/integrations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingId } from "../../../test/support/admin-fixtures.js";
import {
  answerProblem,
  brokenBody,
  contentType,
  ESCAPES,
  type FuzzRequest,
  type FuzzResponse,
  mutateObject,
  oddHeaders,
  oddString,
  oddValue,
  RawClient,
  Rng,
} from "../../../test/support/fuzz.js";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { openTestNamespace } from "../../../test/support/redis.js";

// The fault tier's fuzz: seeded requests against the admin API and the MCP endpoint of a real gateway on a
// real Redis with the sandbox upstream. The rules: no answer is 5xx, every 4xx carries a message, nothing
// is logged at error level, and no path argument of any tool reaches Mem0 outside its template.
// FUZZ_SEED replays a run; FUZZ_REQUESTS changes its size.
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 8;

interface Fixtures {
  adminToken: string;
  apiToken: string;
  otherApiToken: string;
  tenantId: string;
  otherTenantId: string;
  accountId: string;
  otherAccountId: string;
  /** A server whose filters PATCH may narrow; the MCP fuzz uses the others. */
  patchServerId: string;
  tokens: { all: string; filtered: string; discovery: string; discoveryAll: string; protected: string };
  sandboxKey: string;
}

let stack: TestStack;
let dispose: () => Promise<void>;
let fixtures: Fixtures;
let client: RawClient;

const tokenOf = (url: string): string => url.slice(url.indexOf("/mcp/") + 5);

beforeAll(async () => {
  const redis = await openTestNamespace();
  dispose = redis.dispose;
  stack = await startTestStack(redis);
  const a = await stack.createTenant("Fuzz A");
  const b = await stack.createTenant("Fuzz B");
  const accountId = await stack.connectMem0(a.apiToken);
  const otherAccountId = await stack.connectMem0(b.apiToken);
  const mint = (name: string, config: Record<string, unknown>) =>
    stack.mint(a.apiToken, accountId, { name, config });
  const all = await mint("All", {});
  const filtered = await mint("Filtered", { methods: ["read", "custom"], tags: ["memories"] });
  const discovery = await mint("Discovery", { methods: ["read"], tool_exposure: "discovery" });
  const discoveryAll = await mint("Discovery of every tool", { tool_exposure: "discovery" });
  const protectedServer = await mint("Protected", { require_api_token_auth: true });
  const patchTarget = await mint("Patch target", {});
  fixtures = {
    adminToken: stack.config.adminToken,
    apiToken: a.apiToken,
    otherApiToken: b.apiToken,
    tenantId: a.tenantId,
    otherTenantId: b.tenantId,
    accountId,
    otherAccountId,
    patchServerId: patchTarget.id,
    tokens: {
      all: tokenOf(all.url),
      filtered: tokenOf(filtered.url),
      discovery: tokenOf(discovery.url),
      discoveryAll: tokenOf(discoveryAll.url),
      protected: tokenOf(protectedServer.url),
    },
    sandboxKey: stack.sandbox.apiKeys[0] ?? "",
  };
  client = new RawClient(stack.gatewayUrl);
});

afterAll(async () => {
  client?.close();
  await stack?.close();
  await dispose?.();
});

/** An id for a path: usually one that exists (ours or another tenant's), else missing, odd or escaping. */
function idFor(rng: Rng, live: string, other: string, prefix: "ten" | "acc" | "mcp" | "tok"): string {
  const roll = rng.int(10);
  if (roll < 4) return live;
  if (roll < 5) return other;
  if (roll < 6) return missingId(prefix);
  const odd = rng.chance(0.5) ? rng.pick(ESCAPES) : oddString(rng).slice(0, 2_000);
  return rng.chance(0.7) ? encodeURIComponent(odd) : odd.replace(/[^\x21-\x7e]/g, "");
}

function authorization(rng: Rng, wanted: string): Record<string, string> {
  const roll = rng.int(20);
  if (roll < 14) return { authorization: `Bearer ${wanted}` };
  const odd: Record<string, string>[] = [
    {},
    { authorization: "Bearer" },
    { authorization: `Bearer ${fixtures.otherApiToken}` },
    { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
    { authorization: `Bearer ${"mcpg_at_".padEnd(5_000, "x")}` },
    { authorization: `bearer  ${wanted} extra` },
  ];
  return rng.pick(odd);
}

function query(rng: Rng): string {
  if (rng.chance(0.6)) return "";
  const parts = [
    `limit=${rng.pick(["1", "100", "0", "-1", "101", "abc", "1e3", "", "2.5"])}`,
    `cursor=${encodeURIComponent(oddString(rng).slice(0, 300))}`,
    `methods=${rng.pick(["read", "write", "custom", "nope", "", "read,write", "list,get"])}`,
    `tags=${rng.pick(["memories", "events", "unknown", "", "memories,projects"])}`,
    `tenant_id=${fixtures.otherTenantId}`,
    `log_type=${rng.pick(["mcp", "admin", "mcp", "admin", "", "all"])}`,
    `from=${encodeURIComponent(rng.pick([new Date().toISOString(), "2020-01-01T00:00:00Z", "yesterday", ""]))}`,
    `to=${encodeURIComponent(rng.pick([new Date().toISOString(), "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]))}`,
    `outcome=${rng.pick(["ok", "refused", "tool_error", "nope"])}`,
    `mcp_method=${encodeURIComponent(oddString(rng).slice(0, 80))}`,
    `request_id=${encodeURIComponent(oddString(rng).slice(0, 80))}`,
  ];
  return `?${parts.filter(() => rng.chance(0.5)).join("&")}`;
}

const FUTURE = (): string => new Date(Date.now() + 86_400_000).toISOString();

/** The admin routes, each with the body that would be valid and the token it wants. */
function adminRequest(rng: Rng): FuzzRequest {
  const f = fixtures;
  const tenant = () => idFor(rng, f.tenantId, f.otherTenantId, "ten");
  const account = () => idFor(rng, f.accountId, f.otherAccountId, "acc");
  const server = () => idFor(rng, f.patchServerId, missingId("mcp"), "mcp");
  const junkId = (prefix: "ten" | "acc" | "mcp" | "tok") =>
    idFor(rng, missingId(prefix), missingId(prefix), prefix);
  const serverBody = () => ({
    name: "Fuzzed",
    config: { methods: ["read"], tags: ["memories"], require_api_token_auth: false, tool_exposure: "all" },
    expires_at: FUTURE(),
  });
  const routes: [string, string, string, Record<string, unknown> | undefined][] = [
    ["POST", "/tenants", f.adminToken, { name: "Fuzz tenant" }],
    ["GET", "/tenants", f.adminToken, undefined],
    ["GET", `/tenants/${tenant()}`, f.adminToken, undefined],
    ["DELETE", `/tenants/${junkId("ten")}`, f.adminToken, undefined],
    ["POST", "/api-tokens", f.apiToken, { name: "Fuzz token", expires_at: FUTURE() }],
    ["GET", "/api-tokens", f.apiToken, undefined],
    ["DELETE", `/api-tokens/${junkId("tok")}`, f.apiToken, undefined],
    [
      "POST",
      "/integrated-account",
      f.apiToken,
      { integration: "mem0", name: "Fuzz", credentials: { api_key: f.sandboxKey } },
    ],
    ["GET", "/integrated-account", f.apiToken, undefined],
    ["GET", `/integrated-account/${account()}`, f.apiToken, undefined],
    [
      "PATCH",
      `/integrated-account/${account()}`,
      f.apiToken,
      { name: "Renamed", credentials: { api_key: f.sandboxKey } },
    ],
    ["DELETE", `/integrated-account/${junkId("acc")}`, f.apiToken, undefined],
    ["GET", `/integrated-account/${account()}/tools`, f.apiToken, undefined],
    ["POST", `/integrated-account/${account()}/mcp`, f.apiToken, serverBody()],
    ["GET", `/integrated-account/${account()}/mcp`, f.apiToken, undefined],
    ["GET", `/integrated-account/${account()}/mcp/${server()}`, f.apiToken, undefined],
    ["PATCH", `/integrated-account/${account()}/mcp/${server()}`, f.apiToken, serverBody()],
    ["DELETE", `/integrated-account/${account()}/mcp/${junkId("mcp")}`, f.apiToken, undefined],
    ["GET", "/integrations", f.apiToken, undefined],
    ["GET", "/log", f.apiToken, undefined],
    ["GET", "/log", f.adminToken, undefined],
    ["GET", "/openapi.json", "", undefined],
    ["GET", "/readyz", "", undefined],
    ["GET", `/${encodeURIComponent(oddString(rng).slice(0, 500))}`, f.apiToken, undefined],
  ];
  const [routeMethod, path, token, valid] = rng.pick(routes);
  // Any other method on a route's path; never DELETE, which on a live id would remove the fixtures.
  const method = rng.chance(0.08)
    ? rng.pick(["PUT", "HEAD", "OPTIONS", "PATCH", "POST", "TRACE"])
    : routeMethod;
  const headers: Record<string, string> = { ...authorization(rng, token), ...oddHeaders(rng) };
  let body: string | Buffer | undefined;
  if (valid !== undefined || rng.chance(0.1)) {
    const base = valid ?? {};
    const roll = rng.int(10);
    body =
      roll < 6
        ? JSON.stringify(mutateObject(rng, base))
        : roll < 9
          ? brokenBody(rng, JSON.stringify(base))
          : JSON.stringify(oddValue(rng));
    headers["content-type"] = contentType(rng);
  }
  return {
    method,
    path: path + query(rng),
    headers,
    ...(body === undefined ? {} : { body }),
    label: `admin ${routeMethod} ${path.slice(0, 80)}`,
  };
}

const TOOLS: readonly Tool[] = allTools(mem0);
const TOOL_NAMES = [...TOOLS.map((tool) => tool.name), "search_tools", "get_tool_schema", "call_tool"];
const RPC_METHODS = [
  "tools/call",
  "tools/call",
  "tools/call",
  "tools/list",
  "initialize",
  "ping",
  "server/discover",
  "resources/list",
  "prompts/list",
  "notifications/initialized",
  "logging/setLevel",
  "completion/complete",
  "subscriptions/listen",
];

/** Tool arguments: a tool's own example, changed; never a long event wait (it would only slow the run). */
function toolArguments(rng: Rng, name: string): unknown {
  const tool = TOOLS.find((candidate) => candidate.name === name);
  if (tool === undefined) {
    if (name === "call_tool")
      return { tool_name: rng.pick(TOOL_NAMES), arguments: toolArguments(rng, rng.pick(TOOL_NAMES)) };
    return rng.chance(0.5)
      ? { query: oddString(rng), tool_names: [rng.pick(TOOL_NAMES), oddString(rng)] }
      : oddValue(rng);
  }
  const args = rng.chance(0.3) ? { ...tool.example } : mutateObject(rng, { ...tool.example });
  delete args.wait_seconds;
  return rng.chance(0.05) ? oddValue(rng) : args;
}

function rpcMessage(rng: Rng): unknown {
  const method = rng.chance(0.05) ? oddString(rng) : rng.pick(RPC_METHODS);
  const name = rng.chance(0.05) ? oddString(rng) : rng.pick(TOOL_NAMES);
  const params =
    method === "tools/call"
      ? { name, arguments: toolArguments(rng, name) }
      : method === "initialize"
        ? { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } }
        : rng.chance(0.5)
          ? {}
          : oddValue(rng);
  const message: Record<string, unknown> = {
    jsonrpc: "2.0",
    id: rng.pick([1, "a", null, 0, -1, 1.5]),
    method,
    params,
  };
  if (rng.chance(0.1)) return mutateObject(rng, message);
  if (rng.chance(0.05)) return [message, message];
  return message;
}

function mcpRequest(rng: Rng): FuzzRequest {
  const which = rng.pick(["all", "filtered", "discovery", "discoveryAll", "protected"] as const);
  let token: string = fixtures.tokens[which];
  if (rng.chance(0.05))
    token = rng.pick([
      token.slice(0, -3),
      `${token}x`,
      token.replace(/\./g, ".."),
      oddString(rng).slice(0, 2_000),
    ]);
  const message = rpcMessage(rng);
  const method = rng.chance(0.04) ? rng.pick(["GET", "DELETE", "PUT", "HEAD"]) : "POST";
  const headers: Record<string, string> = {
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": rng.chance(0.8) ? "2025-11-25" : "2026-07-28",
    ...(which === "protected" ? authorization(rng, fixtures.apiToken) : {}),
    ...oddHeaders(rng),
  };
  const text = JSON.stringify(message);
  const body = rng.chance(0.1) ? brokenBody(rng, text) : text;
  headers["content-type"] = rng.chance(0.9) ? "application/json" : contentType(rng);
  return {
    method,
    path: `/mcp/${encodeURIComponent(token).replace(/%2E/g, ".")}`,
    headers,
    body,
    label: `mcp ${which} ${(message as { method?: string }).method ?? "batch"}`,
  };
}

/** Every path parameter of every tool with every escaping value, on the URL that exposes all tools. */
function traversalRequests(): FuzzRequest[] {
  const calls: FuzzRequest[] = [];
  for (const tool of TOOLS) {
    for (const parameter of tool.http.parameters.filter((p) => p.in === "path")) {
      for (const value of ESCAPES) {
        for (const [which, name, args] of [
          ["all", tool.name, { ...tool.example, [parameter.name]: value }],
          [
            "discoveryAll",
            "call_tool",
            { tool_name: tool.name, arguments: { ...tool.example, [parameter.name]: value } },
          ],
        ] as const) {
          calls.push({
            method: "POST",
            path: `/mcp/${fixtures.tokens[which]}`,
            headers: {
              "content-type": "application/json",
              accept: "application/json, text/event-stream",
              "mcp-protocol-version": "2025-11-25",
            },
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "tools/call",
              params: { name, arguments: args },
            }),
            label: `traversal ${which} ${tool.name} ${parameter.name}=${JSON.stringify(value)}`,
          });
        }
      }
    }
  }
  return calls;
}

const OVERSIZED = "[oversized]";

/**
 * Marks a request whose headers exceed Node's 16 KiB limit or whose body exceeds the admin API's 64 KiB: the
 * server answers 431 or 413 and closes while the client may still be writing, so the client can see the
 * connection reset instead of the answer. Only these may go unanswered.
 */
function labelled(call: FuzzRequest): FuzzRequest {
  const headerBytes = Object.entries(call.headers).reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    0,
  );
  const bodyBytes = call.body === undefined ? 0 : Buffer.byteLength(call.body);
  return headerBytes > 16_000 || bodyBytes > LIMITS.adminBodyBytes
    ? { ...call, label: `${call.label} ${OVERSIZED}` }
    : call;
}

interface RunReport {
  answered: number;
  byStatus: Record<number, number>;
  problems: string[];
  unanswered: string[];
}

async function run(
  calls: FuzzRequest[],
  check: (call: FuzzRequest, answer: FuzzResponse) => string | undefined = answerProblem,
): Promise<RunReport> {
  const report: RunReport = { answered: 0, byStatus: {}, problems: [], unanswered: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < calls.length; index = next++) {
      const call = calls[index] as FuzzRequest;
      try {
        const answer = await client.send(call);
        report.answered++;
        report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
        const problem = check(call, answer);
        if (problem !== undefined) report.problems.push(`#${index} ${call.label}: ${problem}`);
      } catch (error) {
        report.unanswered.push(`#${index} ${call.label}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return report;
}

function errorLogLines(): string[] {
  return stack.logs.lines().filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

describe(`fuzzing the admin API and the MCP endpoint (seed ${SEED})`, () => {
  it("a path argument that escapes its segment never reaches Mem0, on direct tools and discovery call_tool", async () => {
    const calls = traversalRequests();
    const before = stack.sandbox.requestCount();
    const report = await run(calls, (_call, answer) => {
      const text = answer.text.trim();
      const message = JSON.parse(text.startsWith("{") ? text : text.slice(text.indexOf("{"))) as {
        result?: { isError?: boolean; content?: { text: string }[] };
      };
      const result = message.result;
      return result?.isError === true && result.content?.[0]?.text.includes("Invalid arguments")
        ? undefined
        : `not refused as invalid arguments: ${text.slice(0, 200)}`;
    });
    expect(report.unanswered).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.byStatus).toEqual({ 200: calls.length });
    expect(stack.sandbox.requestCount()).toBe(before);
    console.info(`traversal: ${calls.length} tools/call requests, all refused before Mem0`);
  });

  it(`${REQUESTS} seeded requests: no 5xx, every 4xx says what is wrong, no error logged`, async () => {
    const rng = new Rng(SEED);
    const calls = Array.from({ length: REQUESTS }, () =>
      labelled(rng.chance(0.5) ? adminRequest(rng) : mcpRequest(rng)),
    );
    const started = Date.now();
    const report = await run(calls);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(
      `fuzz seed ${SEED}: ${report.answered} answered in ${seconds} s; by status ${JSON.stringify(report.byStatus)}`,
    );
    expect(report.problems.slice(0, 20)).toEqual([]);
    expect(report.unanswered.filter((line) => !line.includes(OVERSIZED)).slice(0, 20)).toEqual([]);
    expect(report.answered).toBeGreaterThanOrEqual(REQUESTS * 0.98);
    expect(errorLogLines().slice(0, 5)).toEqual([]);
    // The fixtures still work: the fuzz neither broke the URLs nor the tenant's token.
    const list = await client.send({
      method: "POST",
      path: `/mcp/${fixtures.tokens.all}`,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      label: "tools/list after the fuzz",
    });
    expect(list.status).toBe(200);
  });
});
