/**
 * Entity-scoped URLs, attacked the way a model (or whoever holds the URL) would try to leave the scope: the real
 * gateway and the Mem0 sandbox, data for two users, and the real MCP SDK client on a URL pinned to one of them.
 * Every attack must leave the sandbox exactly as it was and show nothing of the other user.
 */
import { randomUUID } from "node:crypto";
import { allTools, mem0 } from "@mcp-gateway/integrations";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { openTestNamespace } from "../../../test/support/redis.js";
import { connectClient } from "./mcp-support.js";

interface CallResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

const ALICE = "usr-alice";
const BOB = "usr-bob";
const SCOPE = { user_id: ALICE };
const CONFINABLE = Object.keys(mem0.scope?.rules ?? {}).sort();

let stack: TestStack;
let dispose: () => Promise<void>;
let redisKeys: () => Promise<string[]>;
let redisTtlMs: (key: string) => Promise<number>;
let apiToken: string;
let accountId: string;
let scoped: { id: string; url: string };
let client: Client;
let discoveryClient: Client;
const memories: Record<string, string[]> = {};

/** Calls the sandbox directly, as the account's own API key (the ground truth, never through the gateway). */
async function upstream(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${stack.sandbox.url}${path}`, {
    method,
    headers: {
      authorization: `Token ${stack.sandbox.apiKeys[0]}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return text === "" ? null : JSON.parse(text);
}

/** Every memory of both users, with its history: what an attack must leave untouched. */
async function sandboxState(): Promise<unknown> {
  const state: Record<string, unknown> = {};
  for (const user of [ALICE, BOB]) {
    const page = await upstream("POST", "/v3/memories/?page_size=200", { filters: { user_id: user } });
    const items = (page.results as { id: string }[]).sort((a, b) => a.id.localeCompare(b.id));
    state[user] = await Promise.all(
      items.map(async (item) => ({
        memory: await upstream("GET", `/v1/memories/${item.id}/`),
        history: await upstream("GET", `/v1/memories/${item.id}/history/`),
      })),
    );
  }
  return state;
}

async function seed(user: string, texts: string[]): Promise<string[]> {
  const added = await upstream("POST", "/v3/memories/add/", {
    messages: texts.map((content) => ({ role: "user", content })),
    user_id: user,
    infer: false,
  });
  return (added.results as { id: string }[]).map((result) => result.id);
}

async function call(on: Client, name: string, args: Record<string, unknown>): Promise<CallResult> {
  return (await on.callTool({ name, arguments: args })) as CallResult;
}

/**
 * Runs an attack and checks the sandbox is unchanged, that at most `upstreamCalls` requests reached it (the
 * ownership read, never the write), and that nothing of Bob's shows in the answer. A refusal may quote the id
 * the caller itself sent (`echoesInput`), never Bob's data.
 */
async function attack(
  upstreamCalls: number,
  run: () => Promise<CallResult>,
  echoesInput = false,
): Promise<CallResult> {
  const before = await sandboxState();
  const count = stack.sandbox.requestCount();
  const result = await run();
  expect(stack.sandbox.requestCount() - count).toBeLessThanOrEqual(upstreamCalls);
  expect(await sandboxState()).toEqual(before);
  const text = JSON.stringify(result);
  if (!echoesInput) expect(text).not.toContain(BOB);
  for (const id of memories[BOB] ?? []) expect(text).not.toContain(id);
  expect(text).not.toContain("Bob");
  return result;
}

function memoryIds(result: CallResult): string[] {
  const data = result.structuredContent as { results?: { id: string }[] };
  return (data.results ?? []).map((item) => item.id).sort();
}

beforeAll(async () => {
  const redis = await openTestNamespace();
  dispose = redis.dispose;
  redisKeys = redis.keys;
  // keys() answers full key names; the client adds no prefix of its own.
  redisTtlMs = (key) => redis.client.pttl(key);
  stack = await startTestStack(redis);
  ({ apiToken } = await stack.createTenant("Scope tests"));
  accountId = await stack.connectMem0(apiToken);
  memories[ALICE] = await seed(ALICE, ["Alice likes green tea", "Alice lives in Lisbon"]);
  memories[BOB] = await seed(BOB, ["Bob likes black coffee", "Bob lives in Oslo"]);
  scoped = await stack.mint(apiToken, accountId, { name: "Alice only", config: { scope: SCOPE } });
  const discovery = await stack.mint(apiToken, accountId, {
    name: "Alice discovery",
    config: { scope: SCOPE, tool_exposure: "discovery" },
  });
  ({ client } = await connectClient(scoped.url, "2025-11-25"));
  ({ client: discoveryClient } = await connectClient(discovery.url, "2026-07-28"));
});

afterAll(async () => {
  await client?.close();
  await discoveryClient?.close();
  await stack?.close();
  await dispose?.();
});

describe("a URL scoped to one user", () => {
  it("shows the scope in the mint answer and lists only tools that can be confined, each saying so", async () => {
    expect(scoped).toMatchObject({ config: { scope: SCOPE } });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(CONFINABLE);
    for (const tool of tools) expect(tool.description).toContain('confined to user_id "usr-alice"');
    expect(client.getInstructions()).toContain('Every tool is confined to user_id "usr-alice".');
  });

  it("refuses tools that cannot be confined exactly as it refuses a tool that does not exist", async () => {
    const refusal = async (name: string) =>
      (await call(client, name, {}).catch((error: Error) => error)) as Error;
    const webhooks = await refusal("list_all_mem_0_webhooks");
    const nonsense = await refusal("no_such_tool");
    expect(webhooks.message).toContain("Unknown tool");
    expect(webhooks.message.replace("list_all_mem_0_webhooks", "X")).toBe(
      nonsense.message.replace("no_such_tool", "X"),
    );
    for (const name of ["list_all_mem_0_entities", "list_all_mem_0_events", "list_all_mem_0_stats"]) {
      expect((await refusal(name)).message).toContain("Unknown tool");
    }
  });

  it.each([
    ["another user", { user_id: BOB }],
    ["an OR branch", { OR: [{ user_id: BOB }, { user_id: ALICE }] }],
    ["AND with another id", { AND: [{ user_id: BOB }] }],
    ["a wildcard", { user_id: "*" }],
    ["an in-list", { user_id: { in: [BOB, ALICE] } }],
    ["a negation", { NOT: { user_id: ALICE } }],
    ["another agent only", { agent_id: "*" }],
    ["Bob's memory ids", { memory_ids: ["BOB_IDS"] }],
  ])("lists only Alice's memories whatever the filters say: %s", async (_name, filters) => {
    const resolved = JSON.parse(
      JSON.stringify(filters).replace('"BOB_IDS"', JSON.stringify(memories[BOB]?.[0])),
    );
    const result = await attack(1, () => call(client, "list_all_mem_0_memories", { filters: resolved }));
    expect(result.isError ?? false).toBe(false);
    for (const id of memoryIds(result)) expect(memories[ALICE]).toContain(id);
  });

  it("needs no filters at all: the scope is the filter", async () => {
    const result = await call(client, "list_all_mem_0_memories", {});
    expect(memoryIds(result)).toEqual([...(memories[ALICE] ?? [])].sort());
    const empty = await call(client, "list_all_mem_0_memories", { filters: {} });
    expect(memoryIds(empty)).toEqual([...(memories[ALICE] ?? [])].sort());
    const notAnObject = await call(client, "list_all_mem_0_memories", { filters: [{ user_id: BOB }] });
    expect(notAnObject).toMatchObject({ isError: true, structuredContent: { error: "invalid_arguments" } });
  });

  it("searches and summarizes only inside the scope", async () => {
    const search = await attack(1, () =>
      call(client, "mem_0_memories_search", {
        query: "likes coffee tea",
        filters: { OR: [{ user_id: BOB }, { user_id: "*" }] },
      }),
    );
    expect(memoryIds(search).length).toBeGreaterThan(0);
    for (const id of memoryIds(search)) expect(memories[ALICE]).toContain(id);
    const summary = await attack(1, () =>
      call(client, "mem_0_memories_summary", { filters: { user_id: BOB } }),
    );
    expect(summary.isError ?? false).toBe(false);
  });

  it("answers Bob's memory id on every single-record tool exactly as a missing memory, and touches nothing", async () => {
    const bobId = memories[BOB]![0]!;
    const missing = randomUUID();
    const cases: [string, (id: string) => Record<string, unknown>][] = [
      ["get_single_mem_0_memory_by_id", (id) => ({ id })],
      ["update_a_mem_0_memory_by_id", (id) => ({ id, text: "Alice now owns this" })],
      ["delete_a_mem_0_memory_by_id", (id) => ({ id })],
      ["list_all_mem_0_memory_history", (id) => ({ memory_id: id })],
      ["mem_0_memories_feedback", (id) => ({ memory_id: id, feedback: "NEGATIVE" })],
    ];
    for (const [tool, args] of cases) {
      const foreign = await attack(1, () => call(client, tool, args(bobId)));
      const absent = await call(client, tool, args(missing));
      expect(foreign, tool).toEqual(absent);
      expect(foreign).toMatchObject({ isError: true, structuredContent: { status: 404 } });
    }
  });

  it("refuses delete_linked, whose chain of older memories cannot be checked, before any upstream call", async () => {
    const aliceId = memories[ALICE]![0]!;
    const result = await attack(0, () =>
      call(client, "delete_a_mem_0_memory_by_id", { id: aliceId, delete_linked: true }),
    );
    expect(result).toMatchObject({ isError: true });
    expect(result.content[0]?.text).toContain("delete_linked reaches records beyond the one named");
  });

  it("confines the 2026-07-28 era (served by the SDK) exactly like the 2025 fast path", async () => {
    const { client: modern } = await connectClient(scoped.url, "2026-07-28");
    const { tools } = await modern.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(CONFINABLE);
    const bobId = memories[BOB]![0]!;
    const foreign = (await attack(1, () =>
      call(modern, "update_a_mem_0_memory_by_id", { id: bobId, text: "hijacked" }),
    )) as CallResult & { _meta?: unknown };
    const { _meta, ...answer } = foreign;
    expect(answer).toEqual(
      await call(client, "update_a_mem_0_memory_by_id", { id: randomUUID(), text: "x" }),
    );
    const listed = await attack(1, () =>
      call(modern, "list_all_mem_0_memories", { filters: { user_id: BOB } }),
    );
    expect(memoryIds(listed)).toEqual([]);
    await modern.close();
  });

  it("still serves Alice's own records", async () => {
    const aliceId = memories[ALICE]![0]!;
    const count = stack.sandbox.requestCount();
    const got = await call(client, "get_single_mem_0_memory_by_id", { id: aliceId });
    expect(got.structuredContent).toMatchObject({ id: aliceId, user_id: ALICE });
    // The read that checks the record is the answer: one upstream request, not two.
    expect(stack.sandbox.requestCount() - count).toBe(1);
    const history = await call(client, "list_all_mem_0_memory_history", { memory_id: aliceId });
    expect(history.isError ?? false).toBe(false);
  });

  it("refuses a whole batch that names one of Bob's memories, as if that memory were missing", async () => {
    const [aliceId] = memories[ALICE]!;
    const [bobId] = memories[BOB]!;
    const missing = randomUUID();
    const update = (id: string) => ({
      memories: [
        { memory_id: aliceId, text: "Alice likes oolong" },
        { memory_id: id, text: "hijacked" },
      ],
    });
    const remove = (id: string) => ({ memories: [{ memory_id: aliceId }, { memory_id: id }] });
    const updated = await attack(2, () => call(client, "mem_0_memories_bulk_update", update(bobId!)));
    expect(updated).toEqual(await call(client, "mem_0_memories_bulk_update", update(missing)));
    const deleted = await attack(2, () => call(client, "mem_0_memories_bulk_delete", remove(bobId!)));
    expect(deleted).toEqual(await call(client, "mem_0_memories_bulk_delete", remove(missing)));
    expect(deleted).toMatchObject({ isError: true, structuredContent: { status: 404 } });
  });

  it("refuses delete-all for another user, a wildcard or an extra entity, before any upstream call", async () => {
    for (const args of [
      { user_id: BOB },
      { user_id: "*" },
      { agent_id: "*" },
      { user_id: ALICE, run_id: "*" },
    ]) {
      const result = await attack(0, () => call(client, "mem_0_memories_delete_all", args), true);
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toContain('this URL is confined to user_id "usr-alice"');
    }
  });

  it("refuses delete-all on a scope of several keys, which Mem0 might not apply together, before any upstream call", async () => {
    const pair = await stack.mint(apiToken, accountId, {
      name: "Alice with her helper",
      config: { scope: { user_id: ALICE, agent_id: "helper" } },
    });
    const { client: pairClient } = await connectClient(pair.url, "2025-11-25");
    try {
      const { tools } = await pairClient.listTools();
      const listed = tools.find((tool) => tool.name === "mem_0_memories_delete_all");
      expect(listed?.description).toContain("On this URL the tool is refused because");
      for (const args of [{}, { user_id: ALICE, agent_id: "helper" }]) {
        const result = await attack(0, () => call(pairClient, "mem_0_memories_delete_all", args));
        expect(result).toMatchObject({ isError: true, structuredContent: { error: "invalid_arguments" } });
        expect(result.content[0]?.text).toContain(
          'confined to several keys (agent_id "helper" and user_id "usr-alice")',
        );
        expect(result.content[0]?.text).toContain("Use a URL scoped to a single key");
        expect(result.content[0]?.text).toContain("mem_0_memories_bulk_delete");
      }
    } finally {
      await pairClient.close();
    }
  });

  it("refuses a memory written for another entity, and writes Alice's with her id filled in", async () => {
    for (const extra of [{ user_id: BOB }, { agent_id: "helper" }, { user_id: "*" }]) {
      const result = await attack(
        0,
        () =>
          call(client, "create_a_mem_0_memory", {
            messages: [{ role: "user", content: "Bob likes sailing" }],
            infer: false,
            ...extra,
          }),
        true,
      );
      expect(result.isError).toBe(true);
      expect(result.content[0]?.text).toContain("nothing was sent upstream");
    }
    const written = await call(client, "create_a_mem_0_memory", {
      messages: [{ role: "user", content: "Alice plays chess" }],
      infer: false,
    });
    expect(written.isError ?? false).toBe(false);
    const [stored] = (written.structuredContent as { results: { id: string }[] }).results;
    expect(await upstream("GET", `/v1/memories/${stored!.id}/`)).toMatchObject({ user_id: ALICE });
    memories[ALICE]!.push(stored!.id);

    // The add's event can be polled on this URL; an event it did not cause answers as a missing one.
    const eventId = (written.structuredContent as { event_id: string }).event_id;
    const event = await call(client, "get_single_mem_0_event_by_id", { id: eventId });
    expect(event.isError ?? false).toBe(false);
    expect(event.structuredContent).toMatchObject({ id: eventId });
    const bobsAdd = await upstream("POST", "/v3/memories/add/", {
      messages: [{ role: "user", content: "Bob hides the spare key" }],
      user_id: BOB,
      infer: false,
    });
    memories[BOB]!.push(...(bobsAdd.results as { id: string }[]).map((result) => result.id));
    const foreign = await attack(0, () =>
      call(client, "get_single_mem_0_event_by_id", { id: bobsAdd.event_id }),
    );
    expect(foreign).toEqual(await call(client, "get_single_mem_0_event_by_id", { id: randomUUID() }));
    expect(foreign).toMatchObject({ isError: true, structuredContent: { status: 404 } });
  });

  it.each([
    ["an OR nested in a branch", { OR: [{ OR: [{ user_id: BOB }] }] }],
    ["a NOT as a branch", { OR: [{ NOT: { user_id: ALICE } }] }],
    ["an operator next to a branch's ids", { OR: [{ user_id: ALICE, NOT: { user_id: ALICE } }] }],
    ["an AND item with another id", { AND: [{ user_id: BOB }] }],
    ["an AND item nesting an OR", { AND: [{ OR: [{ user_id: BOB }] }] }],
    ["an operator on an id", { AND: [{ user_id: { ne: ALICE } }] }],
    ["a wildcard branch", { OR: [{ user_id: "*" }] }],
    ["a wildcard on another entity", { AND: [{ agent_id: "*" }] }],
    ["a field that is not an entity", { AND: [{ categories: { in: ["travel"] } }] }],
    ["a top-level NOT", { NOT: { user_id: ALICE } }],
    ["a flat object with another id", { user_id: BOB }],
    ["branches that differ inside the scope", { OR: [{ agent_id: "a" }, { agent_id: "b" }] }],
  ])(
    "refuses an export filter that is not one flat entity condition, before any upstream call: %s",
    async (_name, filters) => {
      const result = await attack(0, () =>
        call(client, "create_a_mem_0_export", { schema: { type: "object" }, filters }),
      );
      expect(result).toMatchObject({ isError: true, structuredContent: { error: "invalid_arguments" } });
      expect(result.content[0]?.text).toContain("nothing was sent upstream");
    },
  );

  it("exports only Alice's memories, and sends the export endpoint one flat AND list", async () => {
    const schema = { type: "object", properties: { memories: { type: "array" } } };
    const created = await call(client, "create_a_mem_0_export", {
      schema,
      filters: { AND: [{ user_id: ALICE }] },
    });
    expect(created.isError ?? false).toBe(false);
    const exportId = (created.structuredContent as { id: string }).id;
    const wide = await call(client, "create_a_mem_0_export", {
      schema,
      filters: { OR: [{ user_id: BOB }, { user_id: ALICE }] },
    });
    expect(wide.isError ?? false).toBe(false);
    const wideId = (wide.structuredContent as { id: string }).id;
    // What reached the sandbox: Bob's branch dropped, the rest reduced to the documented flat form.
    const events = await upstream("GET", "/v1/events/?page_size=200");
    const sent = (events.results as { event_type: string; payload: { id?: string; filters?: unknown } }[])
      .filter((event) => event.event_type === "EXPORT" && [exportId, wideId].includes(event.payload.id ?? ""))
      .map((event) => event.payload.filters);
    expect(sent).toEqual([{ AND: [{ user_id: ALICE }] }, { AND: [{ user_id: ALICE }] }]);
    const bobOnly = await attack(0, () =>
      call(client, "create_a_mem_0_export", { schema, filters: { OR: [{ user_id: BOB }] } }),
    );
    expect(bobOnly).toMatchObject({ isError: true });
    // Read the exports back as the account itself once they are built: Bob's never, Alice's in the wide one.
    await expect
      .poll(async () =>
        JSON.stringify(await upstream("POST", "/v1/exports/get/", { memory_export_id: wideId })),
      )
      .toContain("Alice");
    const narrow = JSON.stringify(await upstream("POST", "/v1/exports/get/", { memory_export_id: exportId }));
    const broad = JSON.stringify(await upstream("POST", "/v1/exports/get/", { memory_export_id: wideId }));
    for (const text of [narrow, broad]) expect(text).not.toContain("Bob");

    // The scoped URL reads back the exports it made...
    const mine = await call(client, "get_single_mem_0_export_by_id", { id: wideId });
    expect(mine.isError ?? false).toBe(false);
    expect(JSON.stringify(mine)).toContain("Alice");
    // ...and an export made elsewhere (Bob's, by the account itself) answers exactly as one that does not exist.
    const bobs = await upstream("POST", "/v1/exports/", { schema, filters: { AND: [{ user_id: BOB }] } });
    await expect
      .poll(async () =>
        JSON.stringify(await upstream("POST", "/v1/exports/get/", { memory_export_id: bobs.id })),
      )
      .toContain("Bob");
    const foreign = await attack(0, () => call(client, "get_single_mem_0_export_by_id", { id: bobs.id }));
    expect(foreign).toEqual(await call(client, "get_single_mem_0_export_by_id", { id: randomUUID() }));
    expect(foreign).toMatchObject({
      isError: true,
      structuredContent: { status: 404, body: { error: "No memory export request found" } },
    });
  });

  it("keeps the exports a scoped server made under that server, gone when it is revoked", async () => {
    const temporary = await stack.mint(apiToken, accountId, { name: "Temporary", config: { scope: SCOPE } });
    const { client: temporaryClient } = await connectClient(temporary.url, "2025-11-25");
    const made = await call(temporaryClient, "create_a_mem_0_export", { schema: { type: "object" } });
    expect(made.isError ?? false).toBe(false);
    await temporaryClient.close();
    const ledger = (await redisKeys()).filter((key) => key.endsWith(`:mcp:${temporary.id}:created`));
    expect(ledger).toHaveLength(1);
    // Kept with a TTL (a never-expiring server: LIMITS.scopedRecordsRetentionMs, refreshed by each export).
    expect(await redisTtlMs(ledger[0]!)).toBeGreaterThan(29 * 86_400_000);
    // Another scoped URL of the same user does not read it: exports are vouched for by the server that made them.
    const madeId = (made.structuredContent as { id: string }).id;
    const other = await call(client, "get_single_mem_0_export_by_id", { id: madeId });
    expect(other).toMatchObject({ isError: true, structuredContent: { status: 404 } });
    const revoked = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${temporary.id}`, {
      token: apiToken,
    });
    expect(revoked.status).toBe(200);
    expect((await redisKeys()).filter((key) => key.endsWith(`:mcp:${temporary.id}:created`))).toEqual([]);
  });

  it("drops what scoped servers made when their account or their tenant is deleted", async () => {
    const createdKeys = async () => (await redisKeys()).filter((key) => key.endsWith(":created"));
    const before = await createdKeys();
    for (const owner of ["account", "tenant"] as const) {
      const other = await stack.createTenant(`Deleted ${owner}`);
      const otherAccount = await stack.connectMem0(other.apiToken);
      const server = await stack.mint(other.apiToken, otherAccount, {
        name: "Doomed",
        config: { scope: SCOPE },
      });
      const { client: doomed } = await connectClient(server.url, "2025-11-25");
      expect(
        (await call(doomed, "create_a_mem_0_export", { schema: { type: "object" } })).isError ?? false,
      ).toBe(false);
      await doomed.close();
      expect((await createdKeys()).length).toBe(before.length + 1);
      const deleted =
        owner === "account"
          ? await stack.call("DELETE", `/integrated-account/${otherAccount}`, { token: other.apiToken })
          : await stack.call("DELETE", `/tenants/${other.tenantId}`, { token: stack.config.adminToken });
      expect(deleted.status).toBe(200);
      expect(await createdKeys()).toEqual(before);
    }
  });

  it("confines discovery's call_tool the same way, and search_tools finds no unconfinable tool", async () => {
    const listed = (await discoveryClient.listTools()).tools;
    const callTool = listed.find((tool) => tool.name === "call_tool");
    expect(callTool?.description).toContain('confined to user_id "usr-alice"');
    const bobId = memories[BOB]![0]!;
    const via = await attack(1, () =>
      call(discoveryClient, "call_tool", {
        tool_name: "get_single_mem_0_memory_by_id",
        arguments: { id: bobId },
      }),
    );
    const { _meta, ...answer } = via as CallResult & { _meta?: unknown };
    const direct = await call(client, "get_single_mem_0_memory_by_id", { id: randomUUID() });
    expect(answer).toEqual(direct);
    const bobsList = await attack(1, () =>
      call(discoveryClient, "call_tool", {
        tool_name: "list_all_mem_0_memories",
        arguments: { filters: { user_id: BOB } },
      }),
    );
    expect(memoryIds(bobsList)).toEqual([]);
    const webhooks = await call(discoveryClient, "call_tool", {
      tool_name: "list_all_mem_0_webhooks",
      arguments: {},
    });
    expect(webhooks).toMatchObject({ isError: true, structuredContent: { error: "unknown_tool" } });
    const found = await call(discoveryClient, "search_tools", {
      query: "webhook organization project stats",
    });
    const names = ((found.structuredContent as { tools: { name: string }[] }).tools ?? []).map((t) => t.name);
    for (const name of names) expect(CONFINABLE).toContain(name);
  });

  it("cannot be unscoped by editing the token: a token without its scope claim is no token", async () => {
    const token = scoped.url.slice(scoped.url.indexOf("/mcp/") + 5);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    delete claims.scp;
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const response = await fetch(`${stack.gatewayUrl}/mcp/${forged}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(404);
  });
});

describe("minting and editing a scoped URL", () => {
  const mint = (config: Record<string, unknown>) =>
    stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "Scoped", config },
    });

  it("refuses a scope with tags or methods that only reach tools it cannot confine, naming them", async () => {
    for (const config of [
      { scope: SCOPE, tags: ["webhooks"] },
      { scope: SCOPE, tags: ["memories", "webhooks"] },
      { scope: SCOPE, tags: ["organizations", "projects"] },
    ]) {
      const res = await mint(config);
      expect(res.status, JSON.stringify(config)).toBe(400);
      expect(res.body.message).toContain("cannot be confined to an entity");
      for (const tag of config.tags.filter((t) => t !== "memories")) expect(res.body.message).toContain(tag);
    }
    const entities = await mint({ scope: SCOPE, tags: ["entities"], methods: ["read"] });
    expect(entities.status).toBe(400);
    expect(entities.body.details).toMatchObject({ reason: "unconfinable_tools", tags: ["entities"] });
  });

  it("leaves out unconfinable tools a broad filter sweeps in, and says so in warnings", async () => {
    const res = await mint({ scope: SCOPE, methods: ["read"] });
    expect(res.status).toBe(201);
    expect(res.body.tools).toContain("list_all_mem_0_memories");
    expect(res.body.tools).not.toContain("list_all_mem_0_organizations");
    expect(res.body.warnings.join("\n")).toMatch(
      /tools cannot be confined to user_id "usr-alice" and are left out/,
    );
  });

  it("refuses unknown scope keys, wildcards and empty ids with what to fix", async () => {
    const unknownKey = await mint({ scope: { org_id: "x" } });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.message).toContain("valid keys: user_id, agent_id, app_id, run_id");
    for (const scope of [{ user_id: "*" }, { user_id: "" }, { user_id: 7 }, { user_id: "a".repeat(129) }]) {
      expect((await mint({ scope })).status, JSON.stringify(scope)).toBe(400);
    }
  });

  it("refuses a scope too long to fit in a URL token, saying what to shorten", async () => {
    const long = "x".repeat(128);
    const res = await mint({ scope: { user_id: long, agent_id: long, app_id: long, run_id: long } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/token of \d+ characters \(limit 1024\).*scope ids/);
  });

  it("lets PATCH add an entity but never drop or change one, and leaves the record as it was", async () => {
    const created = await stack.mint(apiToken, accountId, { name: "Narrowing", config: { scope: SCOPE } });
    const path = `/integrated-account/${accountId}/mcp/${created.id}`;
    for (const scope of [null, {}, { user_id: BOB }, { app_id: "desk" }, { user_id: ALICE.toUpperCase() }]) {
      const res = await stack.call("PATCH", path, { token: apiToken, body: { config: { scope } } });
      expect(res.status, JSON.stringify(scope)).toBe(403);
      expect(res.body.message).toContain("mint");
    }
    expect((await stack.call("GET", path, { token: apiToken })).body.config.scope).toEqual(SCOPE);

    const narrowed = await stack.call("PATCH", path, {
      token: apiToken,
      body: { config: { scope: { user_id: ALICE, app_id: "desk" } } },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.config.scope).toEqual({ app_id: "desk", user_id: ALICE });
    // Alice's memories carry no app_id, so on the narrowed URL they are outside the scope now.
    const { client: narrowClient } = await connectClient(created.url, "2025-11-25");
    const aliceId = memories[ALICE]![0]!;
    const got = await call(narrowClient, "get_single_mem_0_memory_by_id", { id: aliceId });
    expect(got).toEqual(await call(narrowClient, "get_single_mem_0_memory_by_id", { id: randomUUID() }));
    const listed = await call(narrowClient, "list_all_mem_0_memories", { filters: { user_id: ALICE } });
    expect(memoryIds(listed)).toEqual([]);
    await narrowClient.close();
  });

  it("scopes an unscoped URL by PATCH: the same URL loses unconfinable tools and stays inside", async () => {
    const open = await stack.mint(apiToken, accountId, { name: "Open then scoped" });
    const path = `/integrated-account/${accountId}/mcp/${open.id}`;
    const { client: openClient } = await connectClient(open.url, "2025-11-25");
    expect((await openClient.listTools()).tools.length).toBe(allTools(mem0).length);
    const res = await stack.call("PATCH", path, { token: apiToken, body: { config: { scope: SCOPE } } });
    expect(res.status).toBe(200);
    expect(res.body.tools.sort()).toEqual(CONFINABLE);
    const { tools } = await openClient.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(CONFINABLE);
    const listed = await attack(1, () =>
      call(openClient, "list_all_mem_0_memories", { filters: { user_id: BOB } }),
    );
    expect(memoryIds(listed)).toEqual([]);
    await openClient.close();
  });

  it("documents config.scope in the OpenAPI document", async () => {
    const doc = (await stack.call("GET", "/openapi.json")).body;
    const body =
      doc.paths["/integrated-account/{id}/mcp"].post.requestBody.content["application/json"].schema;
    expect(body.properties.config.properties.scope.description).toContain("several keys mean AND");
  });
});
