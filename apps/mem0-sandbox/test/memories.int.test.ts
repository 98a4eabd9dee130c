import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.js";
import { addVerbatim, type Call, clientFor, waitForEvent } from "./support/http.js";

let sandbox: Sandbox;
let call: Call;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKeys: ["m0-test-a", "m0-test-b"], eventDelayMs: 400 });
  call = clientFor(sandbox);
});
afterAll(() => sandbox.close());

describe("auth and paths", () => {
  it("ping returns the org and project bound to the key", async () => {
    const response = await call("GET", "/v1/ping/");
    expect(response.status).toBe(200);
    const account = sandbox.accountFor("m0-test-a");
    expect(response.body).toEqual({
      status: "ok",
      org_id: account.orgId,
      project_id: account.projectId,
      user_email: account.userEmail,
    });
    expect(account.orgId).not.toBe(sandbox.accountFor("m0-test-b").orgId);
  });

  it("refuses an unknown key, a missing header and the Bearer scheme with 401 and a detail", async () => {
    const wrong = await clientFor(sandbox, "m0-nope")("GET", "/v1/ping/");
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toMatch(/Invalid API key/);
    const none = await fetch(`${sandbox.url}/v1/ping/`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: "Authentication credentials were not provided." });
    const bearer = await fetch(`${sandbox.url}/v1/ping/`, { headers: { authorization: "Bearer m0-test-a" } });
    expect(bearer.status).toBe(401);
  });

  it("answers 404 when the trailing slash is missing", async () => {
    expect((await call("GET", "/v1/ping")).status).toBe(404);
    expect(
      (await call("POST", "/v3/memories/search", { query: "x", filters: { user_id: "u" } })).status,
    ).toBe(404);
  });

  it("answers DRF's 405 with an Allow header for a known path and the wrong method, after authentication", async () => {
    const wrong = await call("PATCH", "/v1/memories/8a3c1e0e-1111-4222-8333-444455556666/", { text: "x" });
    expect(wrong.status).toBe(405);
    expect(wrong.body).toEqual({ detail: 'Method "PATCH" not allowed.' });
    expect(wrong.headers.get("allow")).toBe("GET, PUT, DELETE, OPTIONS");
    expect((await clientFor(sandbox, "m0-nope")("PATCH", "/v1/ping/")).status).toBe(401);
  });

  it("answers 400 with a detail for malformed JSON", async () => {
    const response = await fetch(`${sandbox.url}/v3/memories/add/`, {
      method: "POST",
      headers: { authorization: "Token m0-test-a", "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/JSON parse error/);
  });
});

describe("add", () => {
  it("moves an inferred add through PENDING, RUNNING and SUCCEEDED, and only then are the memories listed", async () => {
    const added = await call("POST", "/v3/memories/add/", {
      messages: [{ role: "user", content: "I'm allergic to peanuts. I love hiking in the Alps." }],
      user_id: "lifecycle-user",
    });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ event_id: expect.any(String), status: "PENDING" });
    const first = await call("GET", `/v1/event/${added.body.event_id}/`);
    expect(first.body.status).toBe("PENDING");
    const listed = await call("POST", "/v3/memories/", { filters: { user_id: "lifecycle-user" } });
    expect(listed.body.count).toBe(0);
    await expect
      .poll(async () => (await call("GET", `/v1/event/${added.body.event_id}/`)).body.status, {
        interval: 20,
        timeout: 5_000,
      })
      .toBe("RUNNING");
    const done = await waitForEvent(call, added.body.event_id);
    expect(done.body.status).toBe("SUCCEEDED");
    expect(done.body.started_at).not.toBeNull();
    expect(done.body.completed_at).not.toBeNull();
    const memories = done.body.results.map((r: { data: { memory: string } }) => r.data.memory);
    expect(memories).toEqual(["Is allergic to peanuts", "Loves hiking in the Alps"]);
    const after = await call("POST", "/v3/memories/", { filters: { user_id: "lifecycle-user" } });
    expect(after.body.count).toBe(2);
  });

  it("fails the event (FAILED with an error) for multimodal content the sandbox cannot fetch", async () => {
    const added = await call("POST", "/v3/memories/add/", {
      messages: [
        { role: "user", content: { type: "image_url", image_url: { url: "https://example.com/a.png" } } },
      ],
      user_id: "image-user",
    });
    const done = await waitForEvent(call, added.body.event_id);
    expect(done.body.status).toBe("FAILED");
    expect(done.body.error).toMatch(/multimodal/);
  });

  it("attributes user facts to user_id and assistant facts to agent_id, never both", async () => {
    const added = await call("POST", "/v3/memories/add/", {
      messages: [
        { role: "user", content: "My favourite city is Lisbon." },
        { role: "assistant", content: "I will suggest trips to Lisbon in spring." },
      ],
      user_id: "speaker-user",
      agent_id: "speaker-agent",
      app_id: "speaker-app",
    });
    const done = await waitForEvent(call, added.body.event_id);
    const byUser = done.body.results.find((r: { user_id: string | null }) => r.user_id === "speaker-user");
    const byAgent = done.body.results.find(
      (r: { agent_id: string | null }) => r.agent_id === "speaker-agent",
    );
    expect(byUser).toMatchObject({
      agent_id: null,
      app_id: "speaker-app",
      data: { memory: "Favourite city is Lisbon" },
    });
    expect(byAgent).toMatchObject({ user_id: null, app_id: "speaker-app" });
    const both = await call("POST", "/v3/memories/", {
      filters: { AND: [{ user_id: "speaker-user" }, { agent_id: "speaker-agent" }] },
    });
    expect(both.body.count).toBe(0);
  });

  it("stores infer:false messages verbatim and synchronously, skipping system messages", async () => {
    const response = await call("POST", "/v3/memories/add/", {
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "Prefers window seats." },
        { role: "assistant", content: "Booked a window seat." },
      ],
      user_id: "verbatim-user",
      agent_id: "verbatim-agent",
      infer: false,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ message: "Memories stored successfully", status: "SUCCEEDED" });
    expect(response.body.results.map((r: { data: { memory: string } }) => r.data.memory)).toEqual([
      "Prefers window seats.",
      "Booked a window seat.",
    ]);
    const stored = await call("GET", `/v1/memories/${response.body.results[0].id}/`);
    expect(stored.body).toMatchObject({ user_id: "verbatim-user", agent_id: "verbatim-agent" });
  });

  it("is ADD-only: duplicates in a scope are dropped (exact text for infer:false, same words when inferred)", async () => {
    const [first] = await addVerbatim(call, ["Drinks oat milk."], { user_id: "dup-user" });
    const again = await call("POST", "/v3/memories/add/", {
      messages: [{ role: "user", content: "Drinks oat milk." }],
      user_id: "dup-user",
      infer: false,
    });
    expect(again.body.results).toEqual([]);
    const inferred = await call("POST", "/v3/memories/add/", {
      messages: "drinks OAT milk!",
      user_id: "dup-user",
    });
    expect((await waitForEvent(call, inferred.body.event_id)).body.results).toEqual([]);
    const other = await addVerbatim(call, ["Drinks oat milk."], { user_id: "dup-user-2" });
    expect(other).toHaveLength(1);
    const notExact = await addVerbatim(call, ["drinks oat milk"], { user_id: "dup-user" });
    expect(notExact).toHaveLength(1);
    const history = await call("GET", `/v1/memories/${first}/history/`);
    expect(history.body).toHaveLength(1);
    expect((await call("GET", `/v1/memories/${first}/`)).body.memory).toBe("Drinks oat milk.");
  });

  it("refuses an add without an entity id and a malformed body with Mem0's add error shape", async () => {
    const noEntity = await call("POST", "/v3/memories/add/", {
      messages: [{ role: "user", content: "Hi there friend" }],
    });
    expect(noEntity.status).toBe(400);
    expect(noEntity.body).toEqual({
      error: "400 Bad Request",
      details: { message: "At least one entity ID is required (user_id, agent_id, app_id, or run_id)." },
    });
    const noMessages = await call("POST", "/v3/memories/add/", { user_id: "u" });
    expect(noMessages.status).toBe(400);
    expect(noMessages.body.details.message).toMatch(/Invalid input data/);
  });
});

describe("single memories and history", () => {
  it("gets, updates and deletes a memory, and history records the previous and new value of each change", async () => {
    const [id] = await addVerbatim(call, ["Lives in Berlin."], { user_id: "single-user", run_id: "run-1" });
    const got = await call("GET", `/v1/memories/${id}/`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id,
      memory: "Lives in Berlin.",
      session_id: "run-1",
      lifecycle_state: "active",
    });
    expect(got.body).not.toHaveProperty("run_id");

    const updated = await call("PUT", `/v1/memories/${id}/`, {
      text: "Lives in Munich.",
      metadata: { moved: true },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, memory: "Lives in Munich.", metadata: { moved: true } });

    const deleted = await call("DELETE", `/v1/memories/${id}/`);
    expect(deleted.body).toEqual({ message: "Memory deleted successfully!" });
    expect((await call("GET", `/v1/memories/${id}/`)).status).toBe(404);

    const history = await call("GET", `/v1/memories/${id}/history/`);
    expect(
      history.body.map((h: { event: string; old_memory: string | null; new_memory: string | null }) => [
        h.event,
        h.old_memory,
        h.new_memory,
      ]),
    ).toEqual([
      ["ADD", null, "Lives in Berlin."],
      ["UPDATE", "Lives in Berlin.", "Lives in Munich."],
      ["DELETE", "Lives in Munich.", null],
    ]);
    expect(history.body[0].input).toEqual([{ role: "user", content: "Lives in Berlin." }]);
  });

  it("answers 400 for a non-UUID id and 404 for an unknown one, with Mem0's error bodies", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const bad = await call(
        method,
        "/v1/memories/not-a-uuid/",
        method === "PUT" ? { text: "x" } : undefined,
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: "memory_id should be a valid UUID" });
      const missing = await call(
        method,
        "/v1/memories/8a3c1e0e-1111-4222-8333-444455556666/",
        method === "PUT" ? { text: "x" } : undefined,
      );
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: "Memory not found!" });
    }
  });

  it("refuses an update with nothing to change, and clears the expiration date with null", async () => {
    const [id] = await addVerbatim(
      call,
      ["Has a passport."],
      { user_id: "update-user" },
      { expiration_date: "2099-01-01" },
    );
    const empty = await call("PUT", `/v1/memories/${id}/`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/At least one of text/);
    const cleared = await call("PUT", `/v1/memories/${id}/`, { expiration_date: null });
    expect(cleared.body.expiration_date).toBeNull();
  });

  it("keeps one project's memories invisible to another key", async () => {
    const [id] = await addVerbatim(call, ["Secret of project A."], { user_id: "iso-user" });
    const other = clientFor(sandbox, "m0-test-b");
    expect((await other("GET", `/v1/memories/${id}/`)).status).toBe(404);
    expect((await other("POST", "/v3/memories/", { filters: { user_id: "iso-user" } })).body.count).toBe(0);
  });

  it("hides expired memories from list and search unless show_expired, but still returns them by id", async () => {
    const [id] = await addVerbatim(
      call,
      ["Old coupon code for pizza."],
      { user_id: "expiry-user" },
      { expiration_date: "2020-01-01" },
    );
    expect((await call("POST", "/v3/memories/", { filters: { user_id: "expiry-user" } })).body.count).toBe(0);
    expect(
      (await call("POST", "/v3/memories/", { filters: { user_id: "expiry-user" }, show_expired: true })).body
        .count,
    ).toBe(1);
    const search = await call("POST", "/v3/memories/search/", {
      query: "pizza coupon",
      filters: { user_id: "expiry-user" },
    });
    expect(search.body.results).toEqual([]);
    expect((await call("GET", `/v1/memories/${id}/`)).status).toBe(200);
  });
});

describe("list and pagination", () => {
  it("pages from the query string with absolute next/previous URLs and 404 Invalid page beyond the end", async () => {
    await addVerbatim(call, ["Fact one.", "Fact two.", "Fact three.", "Fact four.", "Fact five."], {
      user_id: "page-user",
    });
    const first = await call("POST", "/v3/memories/?page_size=2", { filters: { user_id: "page-user" } });
    expect(first.body.count).toBe(5);
    expect(first.body.results).toHaveLength(2);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe(`${sandbox.url}/v3/memories/?page_size=2&page=2`);
    const second = await call("POST", "/v3/memories/?page=2&page_size=2", {
      filters: { user_id: "page-user" },
    });
    expect(second.body.previous).toBe(`${sandbox.url}/v3/memories/?page_size=2`);
    const third = await call("POST", "/v3/memories/?page=3&page_size=2", {
      filters: { user_id: "page-user" },
    });
    expect(third.body.results).toHaveLength(1);
    expect(third.body.next).toBeNull();
    const seen = [...first.body.results, ...second.body.results, ...third.body.results].map(
      (m: { id: string }) => m.id,
    );
    expect(new Set(seen).size).toBe(5);
    const beyond = await call("POST", "/v3/memories/?page=4&page_size=2", {
      filters: { user_id: "page-user" },
    });
    expect(beyond.status).toBe(404);
    expect(beyond.body).toEqual({ detail: "Invalid page." });
    expect((await call("POST", "/v3/memories/?page=abc", { filters: { user_id: "page-user" } })).status).toBe(
      404,
    );
  });

  it("ignores page and page_size in the body (the server reads the query string only)", async () => {
    const response = await call("POST", "/v3/memories/", {
      filters: { user_id: "page-user" },
      page: 2,
      page_size: 2,
    });
    expect(response.body.results).toHaveLength(5);
  });

  it("caps page_size at 200", async () => {
    const response = await call("POST", "/v3/memories/?page_size=5000", {
      filters: { user_id: "page-user" },
    });
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(5);
  });

  it("rejects a top-level entity id with a 400 that says to nest it in filters", async () => {
    const response = await call("POST", "/v3/memories/", { user_id: "page-user" });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/Top-level entity parameters user_id/);
    expect(response.body.error).toContain('{"filters": {"user_id":"page-user"}}');
  });

  it("rejects missing filters and filters with no positive entity", async () => {
    expect((await call("POST", "/v3/memories/", {})).body.error).toMatch(/Filters are required/);
    const negative = await call("POST", "/v3/memories/", { filters: { user_id: { ne: "x" } } });
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatch(/positively scope/);
  });

  it("passes filter validation errors through as 400s (allow-list, operator rules)", async () => {
    const unknownKey = await call("POST", "/v3/memories/", {
      filters: { AND: [{ user_id: "page-user" }, { score: 1 }] },
    });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error).toMatch(
      /^Top-level key must be a logical operator or an allowed field: \['AND', 'OR', 'NOT'/,
    );
    const eqOnDate = await call("POST", "/v3/memories/", {
      filters: { user_id: "page-user", created_at: { eq: "2024-01-01" } },
    });
    expect(eqOnDate.status).toBe(400);
    expect(eqOnDate.body.error).toMatch(/pass the value directly/);
    const filtered = await call("POST", "/v3/memories/", {
      filters: {
        AND: [
          { user_id: "page-user" },
          { keywords: { icontains: "FACT T" } },
          { NOT: { keywords: { contains: "three" } } },
        ],
      },
    });
    expect(filtered.body.results.map((m: { memory: string }) => m.memory)).toEqual(["Fact two."]);
  });

  it("restricts returned fields with `fields`", async () => {
    const response = await call("POST", "/v3/memories/", {
      filters: { user_id: "page-user" },
      fields: ["memory"],
    });
    expect(Object.keys(response.body.results[0]).sort()).toEqual(["id", "memory"]);
  });
});

describe("search", () => {
  beforeAll(async () => {
    await addVerbatim(
      call,
      [
        "Is vegetarian and avoids dairy.",
        "Works as a nurse at the city hospital.",
        "Plays tennis every Sunday morning.",
        "Has a golden retriever named Max.",
        "Is planning a trip to Japan in April.",
      ],
      { user_id: "search-user", run_id: "search-run" },
    );
  });

  it.each([
    ["What food should I cook for her?", "Is vegetarian and avoids dairy."],
    ["Where does she work?", "Works as a nurse at the city hospital."],
    ["Any sports she plays on weekends?", "Plays tennis every Sunday morning."],
    ["Tell me about her dog", "Has a golden retriever named Max."],
    ["upcoming travel plans", "Is planning a trip to Japan in April."],
    ["Who is Max?", "Has a golden retriever named Max."],
  ])("ranks the relevant memory first for %j", async (query, expected) => {
    const response = await call("POST", "/v3/memories/search/", {
      query,
      filters: { user_id: "search-user" },
    });
    expect(response.status).toBe(200);
    expect(response.body.results[0].memory).toBe(expected);
  });

  it("returns scores in [0,1], descending, with a breakdown and run_id naming", async () => {
    const response = await call("POST", "/v3/memories/search/", {
      query: "tennis on Sunday",
      filters: { user_id: "search-user" },
      threshold: 0,
    });
    const scores = response.body.results.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const result of response.body.results) {
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(Object.keys(result.score_breakdown).sort()).toEqual(["bm25", "entity", "semantic"]);
      expect(result.run_id).toBe("search-run");
      expect(result).not.toHaveProperty("session_id");
    }
    expect(response.body.results[0].score_breakdown.bm25).toBeGreaterThan(0);
  });

  it("honours top_k and threshold", async () => {
    const all = await call("POST", "/v3/memories/search/", {
      query: "tennis",
      filters: { user_id: "search-user" },
      threshold: 0,
    });
    expect(all.body.results).toHaveLength(5);
    const one = await call("POST", "/v3/memories/search/", {
      query: "tennis",
      filters: { user_id: "search-user" },
      top_k: 1,
    });
    expect(one.body.results).toHaveLength(1);
    const strict = await call("POST", "/v3/memories/search/", {
      query: "tennis",
      filters: { user_id: "search-user" },
      threshold: 0.99,
    });
    expect(strict.body.results).toEqual([]);
    const asString = await call("POST", "/v3/memories/search/", {
      query: "tennis",
      filters: { user_id: "search-user" },
      top_k: "2",
      threshold: "0",
    });
    expect(asString.body.results).toHaveLength(2);
    const bad = await call("POST", "/v3/memories/search/", {
      query: "tennis",
      filters: { user_id: "search-user" },
      top_k: 0,
    });
    expect(bad.status).toBe(400);
  });

  it("refuses a blank query, top-level entity ids, and answers 500 to a keywords filter like Mem0 (MEM-5746)", async () => {
    expect(
      (await call("POST", "/v3/memories/search/", { query: "  ", filters: { user_id: "u" } })).status,
    ).toBe(400);
    const topLevel = await call("POST", "/v3/memories/search/", {
      query: "x",
      agent_id: "a",
      filters: { user_id: "u" },
    });
    expect(topLevel.status).toBe(400);
    expect(topLevel.body.error).toMatch(/agent_id.*Nest them inside filters/);
    const keywords = await call("POST", "/v3/memories/search/", {
      query: "x",
      filters: { AND: [{ user_id: "search-user" }, { keywords: { icontains: "tennis" } }] },
    });
    expect(keywords.status).toBe(500);
  });

  it("logs searches and get-alls as events", async () => {
    const events = await call("GET", "/v1/events/?event_type=SEARCH");
    expect(events.body.count).toBeGreaterThan(0);
    expect(events.body.results[0]).toMatchObject({ event_type: "SEARCH", status: "SUCCEEDED" });
  });
});

describe("bulk", () => {
  it("batch-updates and batch-deletes, failing the whole batch on one bad id", async () => {
    const ids = await addVerbatim(call, ["Batch a.", "Batch b.", "Batch c."], { user_id: "batch-user" });
    const updated = await call("PUT", "/v1/batch/", {
      memories: [
        { memory_id: ids[0], text: "Batch A!" },
        { memory_id: ids[1], metadata: { k: 1 } },
      ],
    });
    expect(updated.body).toEqual({ message: "Successfully updated 2 memories" });
    expect((await call("GET", `/v1/memories/${ids[0]}/`)).body.memory).toBe("Batch A!");
    const bad = await call("DELETE", "/v1/batch/", {
      memories: [{ memory_id: ids[2] }, { memory_id: "nope" }],
    });
    expect(bad.status).toBe(400);
    expect((await call("GET", `/v1/memories/${ids[2]}/`)).status).toBe(200);
    const deleted = await call("DELETE", "/v1/batch/", { memories: ids.map((memory_id) => ({ memory_id })) });
    expect(deleted.body).toEqual({ message: "Successfully deleted 3 memories" });
  });

  it("refuses more than 1000 items", async () => {
    const memories = Array.from({ length: 1001 }, () => ({
      memory_id: "8a3c1e0e-1111-4222-8333-444455556666",
    }));
    expect((await call("PUT", "/v1/batch/", { memories })).body).toEqual({
      error: "Maximum of 1000 memories can be updated in a single request",
    });
    expect((await call("DELETE", "/v1/batch/", { memories })).body).toEqual({
      error: "Maximum of 1000 memories can be deleted in a single request",
    });
  });

  it("delete-all needs a filter, runs as an async event and deletes only the matching scope", async () => {
    const none = await call("DELETE", "/v1/memories/");
    expect(none.status).toBe(400);
    await addVerbatim(call, ["Wipe me."], { user_id: "wipe-user" });
    await addVerbatim(call, ["Keep me."], { user_id: "keep-user" });
    const started = await call("DELETE", "/v1/memories/?user_id=wipe-user");
    expect(started.body).toEqual({
      message: "Delete in progress. This may take some time.",
      event_id: expect.any(String),
    });
    const done = await waitForEvent(call, started.body.event_id);
    expect(done.body).toMatchObject({ event_type: "DELETE_ALL", status: "SUCCEEDED" });
    expect((await call("POST", "/v3/memories/", { filters: { user_id: "wipe-user" } })).body.count).toBe(0);
    expect((await call("POST", "/v3/memories/", { filters: { user_id: "keep-user" } })).body.count).toBe(1);
  });
});

describe("events", () => {
  it("lists events newest first and answers 404 with Mem0's body for an unknown event", async () => {
    const events = await call("GET", "/v1/events/?page_size=3");
    expect(events.status).toBe(200);
    expect(events.body.results).toHaveLength(3);
    const times = events.body.results.map((e: { created_at: string }) => e.created_at);
    expect(times).toEqual([...times].sort().reverse());
    const missing = await call("GET", "/v1/event/8a3c1e0e-1111-4222-8333-444455556666/");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "Event not found or you don't have permission to access it." });
  });
});
