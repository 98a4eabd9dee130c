import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.js";
import { addVerbatim, type Call, clientFor, waitForEvent } from "./support/http.js";

let sandbox: Sandbox;
let alice: Call;
let bob: Call;
const ORGS = "/api/v1/orgs/organizations/";

beforeAll(async () => {
  sandbox = await startSandbox({ apiKeys: ["m0-alice", "m0-bob", "m0-carol"], eventDelayMs: 20 });
  alice = clientFor(sandbox, "m0-alice");
  bob = clientFor(sandbox, "m0-bob");
});
afterAll(() => sandbox.close());

describe("organizations and projects", () => {
  it("lists the key's default org and project, as ping names them", async () => {
    const account = sandbox.accountFor("m0-alice");
    const orgs = await alice("GET", ORGS);
    expect(orgs.body).toEqual([
      expect.objectContaining({ org_id: account.orgId, is_default: true, is_owner: true }),
    ]);
    const projects = await alice("GET", `${ORGS}${account.orgId}/projects/`);
    expect(projects.body).toEqual([
      expect.objectContaining({ project_id: account.projectId, is_default: true }),
    ]);
  });

  it("hides another key's org and project (404 with a message)", async () => {
    const account = sandbox.accountFor("m0-alice");
    expect(await bob("GET", `${ORGS}${account.orgId}/`)).toMatchObject({
      status: 404,
      body: { message: "Organization not found" },
    });
    expect(await bob("GET", `${ORGS}${account.orgId}/projects/${account.projectId}/`)).toMatchObject({
      status: 404,
    });
  });

  it("refuses to delete the org or project a key is bound to", async () => {
    const account = sandbox.accountFor("m0-alice");
    expect((await alice("DELETE", `${ORGS}${account.orgId}/`)).status).toBe(403);
    const project = await alice("DELETE", `${ORGS}${account.orgId}/projects/${account.projectId}/`);
    expect(project).toMatchObject({ status: 403, body: { message: "Unauthorized to modify this project." } });
  });

  it("validates org creation and members with field errors", async () => {
    expect(await alice("POST", ORGS, {})).toMatchObject({
      status: 400,
      body: { errors: { name: ["This field is required."] } },
    });
    const org = await alice("POST", ORGS, { name: "Team" });
    const members = `${ORGS}${org.body.org_id}/members/`;
    const bad = await alice("POST", members, { email: "not-an-email", role: "ADMIN" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["email", "role"]);
    await alice("POST", members, { email: "x@example.com", role: "READER" });
    expect((await alice("GET", members)).body.members).toEqual([
      expect.objectContaining({ role: "OWNER" }),
      { user_id: "x", role: "READER" },
    ]);
    expect((await alice("PUT", members, { email: "nobody@example.com", role: "OWNER" })).status).toBe(404);
  });

  it("updates project settings with PATCH and narrows GET with fields", async () => {
    const account = sandbox.accountFor("m0-alice");
    const path = `${ORGS}${account.orgId}/projects/${account.projectId}/`;
    await alice("PATCH", path, { custom_instructions: "Keep food facts", decay: true, name: "Renamed" });
    const got = await alice("GET", `${path}?fields=decay&fields=name&fields=custom_instructions`);
    expect(got.body).toEqual({ decay: true, name: "Renamed", custom_instructions: "Keep food facts" });
    expect((await alice("PATCH", path, { decay: "yes" })).status).toBe(400);
  });

  it("removes a project member by the email in the query string", async () => {
    const account = sandbox.accountFor("m0-alice");
    const path = `${ORGS}${account.orgId}/projects/${account.projectId}/members/`;
    await alice("POST", path, { email: "pm@example.com", role: "READER" });
    expect((await alice("DELETE", `${path}?email=pm%40example.com`)).body).toEqual({
      message: "Member removed from the project",
    });
    expect((await alice("DELETE", `${path}?email=pm%40example.com`)).status).toBe(404);
  });
});

describe("webhooks", () => {
  it("creates, lists, updates and deletes, with DRF field errors and per-project access", async () => {
    const { projectId } = sandbox.accountFor("m0-alice");
    const path = `/api/v1/webhooks/projects/${projectId}/`;
    const missing = await alice("POST", path, { url: "https://example.com" });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      name: ["This field is required."],
      event_types: ["This field is required."],
    });
    expect(
      (await alice("POST", path, { name: "h", url: "ftp://x", event_types: ["memory_add"] })).body,
    ).toEqual({ url: ["Enter a valid URL."] });
    const created = await alice("POST", path, {
      name: "h",
      url: "https://example.com/h",
      event_types: ["memory_add", "memory_delete"],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "h",
      is_active: true,
      event_types: ["memory_add", "memory_delete"],
    });
    expect((await alice("GET", path)).body).toHaveLength(1);
    expect(await bob("GET", path)).toMatchObject({
      status: 403,
      body: { error: "You don't have access to this project" },
    });
    const hook = `/api/v1/webhooks/${created.body.webhook_id}/`;
    expect(await bob("PUT", hook, { name: "x" })).toMatchObject({
      status: 403,
      body: { error: "You don't have access to this webhook" },
    });
    expect((await alice("PUT", hook, { event_types: ["bogus"] })).status).toBe(400);
    expect((await alice("PUT", hook, { name: "renamed" })).body).toEqual({
      message: "Webhook updated successfully",
    });
    expect((await alice("GET", path)).body[0].name).toBe("renamed");
    expect((await alice("DELETE", hook)).body).toEqual({ message: "Webhook deleted successfully" });
    expect(await alice("DELETE", hook)).toMatchObject({ status: 404, body: { error: "Webhook not found" } });
  });
});

describe("webhook delivery", () => {
  let receiver: Server;
  const received: unknown[] = [];
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      request.on("end", () => {
        received.push(JSON.parse(text));
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("posts Mem0's event_details bodies for adds, categorization, updates and deletes to subscribed hooks", async () => {
    const { projectId } = sandbox.accountFor("m0-bob");
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await bob("POST", `/api/v1/webhooks/projects/${projectId}/`, {
      name: "all",
      url,
      event_types: ["memory_add", "memory_update", "memory_delete", "memory_categorize"],
    });
    const [id] = await addVerbatim(bob, ["Plays the violin."], { user_id: "hook-user" });
    await bob("PUT", `/v1/memories/${id}/`, { text: "Plays the viola." });
    await bob("DELETE", `/v1/memories/${id}/`);
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(4);
    expect(received).toEqual(
      expect.arrayContaining([
        { event_details: { id, data: { memory: "Plays the violin." }, event: "ADD" } },
        { event_details: { event: "CATEGORIZE", memory_id: id, categories: ["music"] } },
        { event_details: { id, data: { memory: "Plays the viola." }, event: "UPDATE" } },
        { event_details: { id, data: { memory: "Plays the viola." }, event: "DELETE" } },
      ]),
    );
  });
});

describe("entities, exports, summary, feedback, stats", () => {
  it("lists entities with totals and deletes one with its memories asynchronously", async () => {
    await addVerbatim(alice, ["Likes jazz."], { user_id: "ent-user", agent_id: "ent-agent" });
    const list = await alice("GET", "/v1/entities/");
    expect(list.body).toMatchObject({ total_users: 1, total_agents: 1, total_apps: 0, total_runs: 0 });
    expect((await alice("GET", "/v2/entities/user/ent-user/")).body).toEqual([
      expect.objectContaining({ name: "ent-user", type: "user", total_memories: 1 }),
    ]);
    expect(await alice("GET", "/v2/entities/robot/x/")).toMatchObject({
      status: 400,
      body: { message: "Invalid entity type" },
    });
    const started = await alice("DELETE", "/v2/entities/user/ent-user/");
    expect((await waitForEvent(alice, started.body.event_id)).body.results).toHaveLength(1);
    expect((await alice("GET", "/v2/entities/user/ent-user/")).status).toBe(404);
    expect((await alice("POST", "/v3/memories/", { filters: { agent_id: "ent-agent" } })).body.count).toBe(0);
  });

  it("builds an export that honours the requested schema", async () => {
    await addVerbatim(
      alice,
      ["Loves hiking in the Dolomites.", "Works as a data engineer.", "Allergic to shellfish."],
      { user_id: "export-user" },
    );
    const schema = {
      type: "object",
      properties: {
        profile: {
          type: "object",
          properties: { work: { type: "string" }, allergies: { type: "array", items: { type: "string" } } },
          required: ["work", "allergies"],
        },
        memories: {
          type: "array",
          items: {
            type: "object",
            properties: {
              id: { type: "string" },
              memory: { type: "string" },
              created_at: { type: "string" },
            },
            required: ["id", "memory"],
          },
        },
        total_memories: { type: "integer" },
      },
      required: ["profile", "memories", "total_memories"],
    };
    const flat = await alice("POST", "/v1/exports/", { schema, filters: { user_id: "export-user" } });
    expect(flat.status).toBe(400);
    expect(
      (await alice("POST", "/v1/exports/", { filters: { AND: [{ user_id: "export-user" }] } })).body,
    ).toEqual({
      message: "Schema is required and must be a valid object",
    });
    const created = await alice("POST", "/v1/exports/", {
      schema,
      filters: { AND: [{ user_id: "export-user" }] },
    });
    expect(created.status).toBe(201);
    await expect
      .poll(
        async () =>
          (await alice("POST", "/v1/exports/get/", { memory_export_id: created.body.id })).body.status,
        { timeout: 5_000, interval: 10 },
      )
      .toBeUndefined();
    const exported = (await alice("POST", "/v1/exports/get/", { filters: { user_id: "export-user" } })).body;
    expect(new Ajv({ strict: false }).validate(schema, exported)).toBe(true);
    expect(exported.total_memories).toBe(3);
    expect(exported.profile.work).toBe("Works as a data engineer.");
    expect(exported.memories.map((m: { memory: string }) => m.memory)).toHaveLength(3);
    expect((await alice("POST", "/v1/exports/get/", { filters: { user_id: "nobody" } })).body).toEqual({
      error: "No memory export request found",
    });
    expect((await alice("POST", "/v1/exports/get/", {})).status).toBe(400);
  });

  it("summarizes matching memories and validates feedback", async () => {
    const summary = await alice("POST", "/v1/summary/", { filters: { user_id: "export-user" } });
    expect(summary.body[0]).toMatchObject({ memory_count: 3 });
    expect(summary.body[0].summary).toContain("Allergic to shellfish.");
    expect((await alice("POST", "/v1/summary/", {})).status).toBe(400);
    const [id] = await addVerbatim(alice, ["Feedback target."], { user_id: "fb-user" });
    expect((await alice("POST", "/v1/feedback/", { memory_id: id, feedback: "MEH" })).status).toBe(400);
    const given = await alice("POST", "/v1/feedback/", {
      memory_id: id,
      feedback: "NEGATIVE",
      feedback_reason: "wrong",
    });
    expect(given.body).toMatchObject({ feedback: "NEGATIVE", feedback_reason: "wrong" });
  });

  it("counts memories and events in stats", async () => {
    const carol = clientFor(sandbox, "m0-carol");
    const stats = await carol("GET", "/v1/stats/");
    expect(stats.body).toMatchObject({ total_memories: 0, total_add_events: 0 });
    await addVerbatim(carol, ["One.", "Two."], { user_id: "s1" });
    await carol("POST", "/v3/memories/search/", { query: "one", filters: { user_id: "s1" } });
    expect((await carol("GET", "/v1/stats/")).body).toMatchObject({
      total_memories: 2,
      total_add_events: 1,
      total_retrieval_events: 1,
      total_users_with_memories: 1,
      memories_per_user: 2,
    });
  });
});
