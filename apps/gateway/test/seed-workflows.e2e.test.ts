import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";

// The two workflows the product is sold on, as a user's model would run them: only MCP tool calls,
// through a real MCP client, against a URL minted by the real admin API.

type Json = Record<string, any>;

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "seed-workflow-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function call(client: Client, name: string, args: Json): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { text: string }[];
    isError?: boolean;
  };
  const text = result.content[0]?.text ?? "";
  if (result.isError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text);
}

describe("seed workflows over MCP", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);
  let client: Client;
  beforeEach(async () => {
    const { apiToken } = await stack.createTenant();
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: {
        name: "Support agent memory",
        config: { methods: ["read", "write", "custom"], tags: ["memories", "events"] },
      },
    });
    expect(minted.status).toBe(201);
    client = await connect(minted.body.url);
  });
  afterEach(async () => {
    await client.close();
  });

  it("finds when the enterprise discount rule changed and what it was before", async () => {
    // The sales agent learned a rule, and later the rule changed.
    const stored = await call(client, "create_a_mem_0_memory", {
      messages: [{ role: "assistant", content: "Enterprise discount is 10% for annual plans." }],
      agent_id: "sales-agent",
      infer: false,
    });
    const memoryId: string = stored.results[0].id;
    await call(client, "create_a_mem_0_memory", {
      messages: [{ role: "assistant", content: "Free trial lasts 14 days." }],
      agent_id: "sales-agent",
      infer: false,
    });
    await call(client, "update_a_mem_0_memory_by_id", {
      id: memoryId,
      text: "Enterprise discount is 15% for annual plans.",
    });

    // The workflow: search by agent, take the match, read its history.
    const found = await call(client, "mem_0_memories_search", {
      query: "enterprise discount",
      filters: { agent_id: "sales-agent" },
    });
    const hits: Json[] = Array.isArray(found) ? found : found.results;
    expect(hits[0]?.id).toBe(memoryId);
    expect(hits[0]?.memory).toContain("15%");

    const history: Json[] = await call(client, "list_all_mem_0_memory_history", { memory_id: memoryId });
    const change = history.find((entry) => entry.event === "UPDATE");
    expect(change).toBeDefined();
    expect(change?.old_memory).toContain("10%");
    expect(change?.new_memory).toContain("15%");
    expect(Date.parse(change?.created_at ?? change?.updated_at)).not.toBeNaN();
  });

  it("adds a memory, waits for its event, then finds it by search", async () => {
    const queued = await call(client, "create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I am allergic to shellfish." }],
      user_id: "dana",
    });
    expect(queued.status).toBe("PENDING");

    const event = await call(client, "get_single_mem_0_event_by_id", {
      id: queued.event_id,
      wait_seconds: 10,
    });
    expect(event.status).toBe("SUCCEEDED");

    const found = await call(client, "mem_0_memories_search", {
      query: "shellfish allergy",
      filters: { user_id: "dana" },
    });
    const hits: Json[] = Array.isArray(found) ? found : found.results;
    expect(hits.map((hit) => String(hit.memory).toLowerCase()).join(" ")).toContain("shellfish");
  });
});
