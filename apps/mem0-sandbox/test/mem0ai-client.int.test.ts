import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.js";
import { clientFor, waitForEvent } from "./support/http.js";

/**
 * Mem0's official TypeScript client (`mem0ai`) pointed at the sandbox: it must not be able to tell the
 * difference on the flows it uses. The client has no event getter, so the event is polled over HTTP.
 */

// The client sends telemetry to PostHog unless this is set before the module loads.
process.env.MEM0_TELEMETRY = "false";
const { MemoryClient } = await import("mem0ai");

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKeys: ["m0-official-client"], eventDelayMs: 30 });
});
afterAll(() => sandbox.close());

describe("mem0ai MemoryClient against the sandbox", () => {
  it("adds, polls the event, searches, lists, updates, reads history and deletes", async () => {
    const client = new MemoryClient({ apiKey: "m0-official-client", host: sandbox.url });

    const added = (await client.add(
      [
        { role: "user", content: "I'm training for the Berlin marathon. I love spicy ramen." },
        { role: "assistant", content: "I will plan your long runs on Sundays." },
      ],
      { userId: "client-user", agentId: "coach" },
    )) as unknown as { eventId: string; status: string };
    expect(added.status).toBe("PENDING");

    const event = await waitForEvent(clientFor(sandbox, "m0-official-client"), added.eventId);
    expect(event.body.status).toBe("SUCCEEDED");
    expect(event.body.results.length).toBeGreaterThanOrEqual(2);

    const found = (await client.search("What does the user like to eat?", {
      filters: { user_id: "client-user" },
    })) as unknown as {
      results: { id: string; memory: string; score: number; runId: string | null }[];
    };
    expect(found.results[0]?.memory).toBe("Loves spicy ramen");
    const memoryId = found.results[0]!.id;

    const listed = (await client.getAll({
      filters: { OR: [{ user_id: "client-user" }, { agent_id: "coach" }] },
      pageSize: 10,
    })) as unknown as {
      count: number;
    };
    expect(listed.count).toBe(event.body.results.length);

    await client.update(memoryId, { text: "Loves spicy tonkotsu ramen" });
    const got = await client.get(memoryId);
    expect(got.memory).toBe("Loves spicy tonkotsu ramen");

    // The client camel-cases response keys, so history entries arrive with `oldMemory`.
    const history = (await client.history(memoryId)) as unknown as {
      event: string;
      oldMemory: string | null;
    }[];
    expect(history.map((h) => [h.event, h.oldMemory])).toEqual([
      ["ADD", null],
      ["UPDATE", "Loves spicy ramen"],
    ]);

    const deleted = await client.delete(memoryId);
    expect(deleted.message).toBe("Memory deleted successfully!");
    await expect(client.get(memoryId)).rejects.toThrow(/Memory not found/);
  });

  it("lists entities and deletes everything of a user with deleteAll", async () => {
    const client = new MemoryClient({ apiKey: "m0-official-client", host: sandbox.url });
    const users = (await client.users()) as unknown as { results: { name: string; type: string }[] };
    expect(users.results.map((e) => `${e.type}:${e.name}`)).toEqual(
      expect.arrayContaining(["user:client-user", "agent:coach"]),
    );
    const started = (await client.deleteAll({ userId: "client-user" })) as unknown as { eventId: string };
    await waitForEvent(clientFor(sandbox, "m0-official-client"), started.eventId);
    const left = (await client.getAll({ filters: { user_id: "client-user" } })) as unknown as {
      count: number;
    };
    expect(left.count).toBe(0);
  });

  it("surfaces the sandbox's 401 as the client's authentication error", async () => {
    const client = new MemoryClient({ apiKey: "m0-not-a-key", host: sandbox.url });
    await expect(client.ping()).rejects.toThrow(/Invalid API key/);
  });
});
