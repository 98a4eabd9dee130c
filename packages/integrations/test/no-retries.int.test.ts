/**
 * "No retries": every tool call makes exactly one upstream request, whatever comes back. A 429 is passed on
 * with its retry hint (the client decides when to try again), a 5xx is passed on, and a timeout or a dropped
 * connection ends the call: a retried write could apply twice, and a retried 429 spends the account's budget.
 * A real HTTP server counts the requests that reach it; a polling tool's loop is included, since "any failure
 * stops it at once" is the same rule.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Sandbox, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ExecutionAccount, executeTool, findTool, mem0, type Tool } from "../src/index.js";

const KEY = "m0-no-retries";
const MEMORY_ID = "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b";
const EVENT_ID = "0b7c9d2e-1f3a-4b5c-8d6e-7f8a9b0c1d2e";
const account: ExecutionAccount = {
  credentials: { api_key: KEY },
  context: { org_id: "org-1", project_id: "proj-1" },
};

function tool(name: string): Tool {
  const found = findTool(mem0, name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

/** One tool of each verb a retry policy might treat differently, and a polling read. */
const CALLS: [string, string, Record<string, unknown>][] = [
  ["a GET", "list_all_mem_0_projects", {}],
  [
    "a POST (a write)",
    "create_a_mem_0_memory",
    { messages: [{ role: "user", content: "I like tea." }], user_id: "u1", infer: false },
  ],
  ["a PUT", "update_a_mem_0_memory_by_id", { id: MEMORY_ID, text: "Likes coffee." }],
  ["a DELETE", "delete_a_mem_0_memory_by_id", { id: MEMORY_ID }],
  ["a polling read told to wait", "get_single_mem_0_event_by_id", { id: EVENT_ID, wait_seconds: 5 }],
];

type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

const answer =
  (status: number, headers: Record<string, string> = {}): Behaviour =>
  (_request, response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify({ detail: `answered ${status}` }));
  };

/** Upstream outcomes, each with the typed result the executor must return after its one request. */
const OUTCOMES: [string, Behaviour, Record<string, unknown>][] = [
  [
    "a 429 with Retry-After",
    answer(429, { "retry-after": "1" }),
    { ok: false, kind: "upstream", status: 429, retryAfterSeconds: 1 },
  ],
  [
    "a 429 that says retry at once",
    answer(429, { "retry-after": "0" }),
    { ok: false, kind: "upstream", status: 429 },
  ],
  [
    "a 429 with rate-limit headers and no Retry-After",
    answer(429, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2" }),
    { ok: false, kind: "upstream", status: 429 },
  ],
  ["a 500", answer(500), { ok: false, kind: "upstream", status: 500 }],
  ["a 502", answer(502), { ok: false, kind: "upstream", status: 502 }],
  [
    "a 503 with Retry-After",
    answer(503, { "retry-after": "1" }),
    { ok: false, kind: "upstream", status: 503 },
  ],
  ["a 504", answer(504), { ok: false, kind: "upstream", status: 504 }],
  ["no answer before the timeout", () => {}, { ok: false, kind: "timeout" }],
  [
    "a connection dropped before any answer",
    (request) => request.socket.destroy(),
    { ok: false, kind: "unreachable" },
  ],
];

describe("one upstream request per tool call, against a counting HTTP server", () => {
  let server: Server;
  let baseUrl: string;
  let behaviour: Behaviour = answer(200);
  const seen: string[] = [];
  const pending = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      pending.add(response);
      response.on("close", () => pending.delete(response));
      // Read the whole request first, as a real server would, then answer (or not).
      request.resume();
      request.on("end", () => behaviour(request, response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const response of pending) response.destroy();
    seen.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe.each(OUTCOMES)("when the upstream gives %s", (_outcome, upstream, expected) => {
    it.each(CALLS)("%s (%s) reaches it once", async (_verb, name, args) => {
      behaviour = upstream;
      const result = await executeTool(tool(name), args, account, {
        baseUrl,
        timeoutMs: 300,
        pollIntervalMs: 10,
      });
      expect(result).toMatchObject(expected);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(new RegExp(`^${tool(name).http.verb} /`));
    });
  });

  it("counts a success as one request too, so the counter itself is sound", async () => {
    behaviour = answer(200);
    const result = await executeTool(tool("list_all_mem_0_projects"), {}, account, { baseUrl });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toEqual(["GET /api/v1/orgs/organizations/org-1/projects/"]);
  });
});

describe("one upstream request for a real 429 from the rate-limited sandbox", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      apiKeys: [KEY],
      eventDelayMs: 20,
      rateLimit: { limit: 1, windowSeconds: 60 },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("passes the 429 on after a single request, for a read and for a write", async () => {
    const { orgId, projectId } = sandbox.accountFor(KEY);
    const real: ExecutionAccount = { ...account, context: { org_id: orgId, project_id: projectId } };
    const options = { baseUrl: sandbox.url };
    const stats = await executeTool(tool("list_all_mem_0_stats"), {}, real, options);
    expect(stats).toMatchObject({ ok: true, rateLimit: { limit: 1, remaining: 0 } });

    for (const [name, args] of [
      ["list_all_mem_0_stats", {}],
      [
        "create_a_mem_0_memory",
        { messages: [{ role: "user", content: "I like tea." }], user_id: "u1", infer: false },
      ],
    ] as const) {
      const before = sandbox.requestCount();
      const limited = await executeTool(tool(name), args, real, options);
      expect(limited, name).toMatchObject({ ok: false, kind: "upstream", status: 429 });
      expect(
        limited.ok === false && limited.kind === "upstream" && limited.retryAfterSeconds,
      ).toBeGreaterThan(0);
      expect(sandbox.requestCount() - before, name).toBe(1);
    }
  });
});
