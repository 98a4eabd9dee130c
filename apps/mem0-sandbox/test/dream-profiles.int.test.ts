import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.js";
import { addVerbatim, type Call, clientFor, waitForEvent } from "./support/http.js";
import { shapeErrors } from "./support/newer-shapes.js";

/**
 * Dream and Profiles, the two families newer than our openapi.json copy: every operation is called, each body
 * is validated against the documented shape (support/newer-shapes.ts), and the documented refusals answer with
 * their status and change nothing.
 */

const OWNER = "m0-dream-owner";
const READER = "m0-dream-reader";
const OUTSIDER = "m0-dream-outsider";
let sandbox: Sandbox;
let call: Call;
let dreamPath: string;

/** Twenty facts, the number of memories a user needs before reflection synthesizes anything. */
const twenty = (topic: string) => Array.from({ length: 20 }, (_, i) => `${topic} fact number ${i + 1}.`);

beforeAll(async () => {
  sandbox = await startSandbox({ apiKeys: [OWNER, READER, OUTSIDER], eventDelayMs: 20, seed: "dream" });
  call = clientFor(sandbox, OWNER);
  const account = sandbox.accountFor(OWNER);
  dreamPath = `/api/v1/orgs/organizations/${account.orgId}/projects/${account.projectId}/dream/`;
});
afterAll(() => sandbox.close());

describe("Dream", () => {
  it("starts with reflection off, and turning it on is forward-only", async () => {
    await addVerbatim(call, twenty("Before"), { user_id: "early" });
    const config = await call("GET", `${dreamPath}config/`);
    expect(config.status).toBe(200);
    expect(shapeErrors("GET dream/config", config.body)).toEqual([]);
    expect(config.body.config).toEqual({
      reflection_enabled: false,
      reflection_enabled_at: null,
      reflection_mode: "batch",
    });

    const enabled = await call("PATCH", `${dreamPath}config/`, { reflection_enabled: true });
    expect(enabled.status).toBe(200);
    expect(shapeErrors("PATCH dream/config", enabled.body)).toEqual([]);
    expect(enabled.body.config).toMatchObject({
      reflection_enabled: true,
      reflection_enabled_at: expect.any(String),
    });
    // Memories from before enabling never count, so nothing has run yet.
    const runs = await call("GET", `${dreamPath}runs/`);
    expect(runs.body).toEqual({ results: [], next_cursor: null });
  });

  it("synthesizes one pattern per user with twenty new memories, with its sources", async () => {
    const ids = await addVerbatim(call, twenty("Hiking"), { user_id: "hiker" });
    await addVerbatim(call, ["Only one fact."], { user_id: "sparse" });
    const runs = await call("GET", `${dreamPath}runs/`);
    expect(runs.status).toBe(200);
    expect(shapeErrors("GET dream/runs", runs.body)).toEqual([]);
    expect(runs.body.results).toHaveLength(1);
    const [run] = runs.body.results;
    expect(run).toMatchObject({ count: 1, has_more: false, mem_cursor: null });
    expect(run.synthesized[0].text).toContain("hiker");
    expect(run.synthesized[0].sources.map((s: { id: string }) => s.id).sort()).toEqual([...ids].sort());

    const memories = await call("GET", `${dreamPath}runs/${run.run_id}/memories/?limit=1`);
    expect(memories.status).toBe(200);
    expect(shapeErrors("GET dream/runs/{run_id}/memories", memories.body)).toEqual([]);
    expect(memories.body).toEqual({ results: [run.synthesized[0]], next_cursor: null });

    const sources = await call("GET", `${dreamPath}memory/${run.synthesized[0].id}/sources/`);
    expect(sources.status).toBe(200);
    expect(shapeErrors("GET dream/memory/{memory_id}/sources", sources.body)).toEqual([]);
    expect(sources.body).toMatchObject({ memory_id: run.synthesized[0].id, synthesized: true });
    expect(sources.body.sources).toHaveLength(20);
    expect(sources.body.sources[0]).toMatchObject({ lifecycle_state: "active" });
    const plain = await call("GET", `${dreamPath}memory/${ids[0]}/sources/`);
    expect(plain.body).toEqual({ memory_id: ids[0], synthesized: false, sources: [] });

    // Reading again runs nothing new: the same run, the same ids.
    expect((await call("GET", `${dreamPath}runs/`)).body).toEqual(runs.body);
    const stats = await call("GET", `${dreamPath}stats/`);
    expect(stats.status).toBe(200);
    expect(shapeErrors("GET dream/stats", stats.body)).toEqual([]);
    expect(stats.body).toMatchObject({
      active: 41,
      merged: 0,
      superseded: 0,
      synthesized: 1,
      running: false,
    });
    expect(stats.body.last_run_at).toBe(run.at);
  });

  it("pages with opaque cursors, and previews without writing", async () => {
    const activity = await call("GET", `${dreamPath}activity/?limit=5`);
    expect(activity.status).toBe(200);
    expect(shapeErrors("GET dream/activity", activity.body)).toEqual([]);
    expect(activity.body).toEqual({ results: [], next_cursor: null });
    await addVerbatim(call, twenty("Cooking"), { user_id: "cook" });
    const first = await call("GET", `${dreamPath}runs/?limit=1`);
    expect(first.body.results).toHaveLength(1);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call("GET", `${dreamPath}runs/?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.next_cursor).toBeNull();
    expect(second.body.results[0].run_id).not.toBe(first.body.results[0].run_id);

    const stats = (await call("GET", `${dreamPath}stats/`)).body;
    const preview = await call("POST", `${dreamPath}preview/`);
    expect(preview.status).toBe(200);
    expect(shapeErrors("POST dream/preview", preview.body)).toEqual([]);
    expect(preview.body).toMatchObject({ active_total: 61, scanned: 61, eligible_users: 3 });
    expect((await call("GET", `${dreamPath}stats/`)).body).toEqual(stats);
  });

  it("refuses what the docs refuse, and changes nothing", async () => {
    const reader = clientFor(sandbox, READER);
    const account = sandbox.accountFor(OWNER);
    const readerEmail = sandbox.accountFor(READER).userEmail;
    await call("POST", `/api/v1/orgs/organizations/${account.orgId}/members/`, {
      email: readerEmail,
      role: "READER",
    });
    const config = (await call("GET", `${dreamPath}config/`)).body;

    expect(await reader("PATCH", `${dreamPath}config/`, { reflection_enabled: false })).toMatchObject({
      status: 403,
    });
    expect((await reader("GET", `${dreamPath}config/`)).status).toBe(200);
    expect(await call("PATCH", `${dreamPath}config/`, { reflection_mode: "nightly" })).toMatchObject({
      status: 400,
      body: { reflection_mode: ['"nightly" is not a valid choice.'] },
    });
    expect(await call("PATCH", `${dreamPath}config/`, { reflection_enabled: "yes" })).toMatchObject({
      status: 400,
      body: { reflection_enabled: ["Must be a valid boolean."] },
    });
    expect((await call("GET", `${dreamPath}config/`)).body).toEqual(config);

    expect(await call("GET", `${dreamPath}runs/?cursor=garbage`)).toMatchObject({ status: 400 });
    expect(await call("GET", `${dreamPath}runs/nope/memories/`)).toMatchObject({ status: 404 });
    expect(
      await call("GET", `${dreamPath}memory/0f0e0d0c-0b0a-4909-8807-060504030201/sources/`),
    ).toMatchObject({ status: 404 });
    const elsewhere = `/api/v1/orgs/organizations/${account.orgId}/projects/proj_missing/dream/stats/`;
    expect(await call("GET", elsewhere)).toMatchObject({ status: 404 });
    // A key outside the organization sees the project as missing: 404, as for a missing one.
    const outsider = clientFor(sandbox, OUTSIDER);
    expect((await outsider("GET", `${dreamPath}stats/`)).status).toBe(404);
    expect((await outsider("PATCH", `${dreamPath}config/`, { reflection_enabled: false })).status).toBe(404);
  });
});

describe("Profiles", () => {
  const schema = {
    type: "object",
    properties: { hobbies: { type: "string", description: "What the user does for fun." } },
  };
  const key = (n: number) => `profile-key-${String(n).padStart(4, "0")}`;

  it("reports not_enabled until profiles are configured, and refuses a job until then", async () => {
    const settings = await call("GET", "/v2/profiles/settings/");
    expect(settings.status).toBe(200);
    expect(shapeErrors("GET profiles/settings", settings.body)).toEqual([]);
    expect(settings.body).toMatchObject({ enabled: false, entities: { user: { schema: null } } });
    const profile = await call("GET", "/v2/entities/user/hiker/profile/");
    expect(profile.status).toBe(200);
    expect(shapeErrors("GET profile", profile.body)).toEqual([]);
    expect(profile.body).toMatchObject({ status: "not_enabled", profile: {} });
    const job = await call(
      "POST",
      "/v2/profiles/jobs/",
      { operation: "trigger", entity_type: "user", entity_id: "hiker" },
      { "idempotency-key": key(1) },
    );
    expect(job).toMatchObject({ status: 400, body: { error: { code: "profiles_not_configured" } } });
    expect(shapeErrors("profile error", job.body)).toEqual([]);
  });

  it("refuses settings it cannot store: a flat schema, a property without a description, another entity type", async () => {
    const refusals = [
      [{ schema }, "unsupported_settings"],
      [
        { entities: { user: { schema: { type: "object", properties: { x: { type: "string" } } } } } },
        "invalid_profile_schema",
      ],
      [{ entities: { agent: { schema } } }, "unsupported_entity_type"],
      [{ enabled: "yes" }, "invalid_request"],
    ] as const;
    for (const [body, code] of refusals) {
      const answer = await call("POST", "/v2/profiles/settings/", body);
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: { code } } });
    }
    expect((await call("GET", "/v2/profiles/settings/")).body.enabled).toBe(false);
  });

  it("builds a user's profile with a trigger job, replays a repeated key and refuses a reused one", async () => {
    const saved = await call("POST", "/v2/profiles/settings/", {
      enabled: true,
      entities: { user: { schema } },
    });
    expect(saved.status).toBe(200);
    expect(shapeErrors("POST profiles/settings", saved.body)).toEqual([]);
    expect(saved.body).toMatchObject({
      enabled: true,
      entities: { user: { schema, custom_instructions: null } },
    });
    expect((await call("GET", "/v2/entities/user/hiker/profile/")).body.status).toBe("pending");

    const request = { entity_type: "user", entity_id: "hiker" }; // no operation: entity_id means trigger
    const job = await call("POST", "/v2/profiles/jobs/", request, { "idempotency-key": key(2) });
    expect(job.status).toBe(202);
    expect(shapeErrors("POST profiles/jobs", job.body)).toEqual([]);
    expect(job.body).toMatchObject({
      operation: "trigger",
      status: "QUEUED",
      replayed: false,
      entity_count_reserved: 1,
    });
    const replay = await call("POST", "/v2/profiles/jobs/", request, { "idempotency-key": key(2) });
    expect(replay).toMatchObject({ status: 202, body: { job_id: job.body.job_id, replayed: true } });
    const reused = await call(
      "POST",
      "/v2/profiles/jobs/",
      { ...request, entity_id: "cook" },
      { "idempotency-key": key(2) },
    );
    expect(reused).toMatchObject({ status: 409, body: { error: { code: "idempotency_key_reused" } } });

    await waitForEvent(call, job.body.event_id);
    const done = await call("GET", job.body.status_url);
    expect(done.status).toBe(200);
    expect(shapeErrors("GET profiles/jobs/{job_id}", done.body)).toEqual([]);
    expect(done.body.job).toMatchObject({
      id: job.body.job_id,
      status: "SUCCEEDED",
      total: 1,
      succeeded: 1,
      completed: 1,
    });
    const profile = await call("GET", "/v2/entities/user/hiker/profile/");
    expect(profile.body).toMatchObject({ status: "succeeded", generation_count: 1, entity_id: "hiker" });
    expect(Object.keys(profile.body.profile)).toEqual(["hobbies"]);
  });

  it("samples a few users once, then asks to wait", async () => {
    const sample = await call(
      "POST",
      "/v2/profiles/jobs/",
      { operation: "sample", entity_type: "user", limit: 2 },
      { "idempotency-key": key(4) },
    );
    expect(sample.status).toBe(202);
    expect(shapeErrors("POST profiles/jobs", sample.body)).toEqual([]);
    expect(sample.body).toMatchObject({ operation: "sample", sampled: 2, entity_ids: ["cook", "early"] });
    const again = await call(
      "POST",
      "/v2/profiles/jobs/",
      { operation: "sample", entity_type: "user" },
      { "idempotency-key": key(5) },
    );
    expect(again).toMatchObject({
      status: 429,
      body: { error: { code: "cooldown", retry_after_seconds: expect.any(Number) } },
    });
  });

  it("skips a registered user without memories: the job succeeds, the profile stays insufficient_data", async () => {
    expect((await call("POST", "/v1/users/", { user_id: "newcomer" })).status).toBe(201);
    const job = await call(
      "POST",
      "/v2/profiles/jobs/",
      { operation: "trigger", entity_type: "user", entity_id: "newcomer" },
      { "idempotency-key": key(13) },
    );
    expect(job.status).toBe(202);
    await waitForEvent(call, job.body.event_id);
    const done = await call("GET", job.body.status_url);
    expect(shapeErrors("GET profiles/jobs/{job_id}", done.body)).toEqual([]);
    expect(done.body.job).toMatchObject({
      status: "SUCCEEDED",
      total: 1,
      succeeded: 0,
      skipped: 1,
      completed: 1,
    });
    const profile = await call("GET", "/v2/entities/user/newcomer/profile/");
    expect(profile.body).toMatchObject({ status: "insufficient_data", profile: {}, generation_count: 0 });
  });

  it("refuses a second trigger for a user whose job is still running", async () => {
    // A sandbox whose events never finish during the test, so the first job is certainly still queued.
    const slow = await startSandbox({ apiKeys: ["m0-slow"], eventDelayMs: 60_000 });
    try {
      const client = clientFor(slow, "m0-slow");
      await addVerbatim(client, ["Plays chess."], { user_id: "player" });
      await client("POST", "/v2/profiles/settings/", { enabled: true, entities: { user: { schema } } });
      const request = { operation: "trigger", entity_type: "user", entity_id: "player" };
      const first = await client("POST", "/v2/profiles/jobs/", request, { "idempotency-key": key(11) });
      expect(first).toMatchObject({ status: 202, body: { status: "QUEUED" } });
      const second = await client("POST", "/v2/profiles/jobs/", request, { "idempotency-key": key(12) });
      expect(second).toMatchObject({ status: 409, body: { error: { code: "job_already_running" } } });
      expect((await client("GET", first.body.status_url)).body.job).toMatchObject({
        status: "QUEUED",
        completed: 0,
      });
    } finally {
      await slow.close();
    }
  });

  it("refuses bad job requests and unknown ids", async () => {
    const cases: [Record<string, unknown>, Record<string, string>, number, string][] = [
      [{ operation: "trigger", entity_type: "user", entity_id: "hiker" }, {}, 400, "invalid_idempotency_key"],
      [
        { operation: "trigger", entity_type: "user", entity_id: "hiker" },
        { "idempotency-key": "short" },
        400,
        "invalid_idempotency_key",
      ],
      [{ entity_type: "user" }, { "idempotency-key": key(6) }, 400, "invalid_operation"],
      [
        { operation: "regenerate", entity_type: "user" },
        { "idempotency-key": key(7) },
        400,
        "invalid_operation",
      ],
      [
        { operation: "trigger", entity_type: "agent", entity_id: "x" },
        { "idempotency-key": key(8) },
        400,
        "unsupported_entity_type",
      ],
      [
        { operation: "sample", entity_type: "user", limit: 11 },
        { "idempotency-key": key(9) },
        400,
        "invalid_request",
      ],
      [
        { operation: "trigger", entity_type: "user", entity_id: "nobody" },
        { "idempotency-key": key(10) },
        400,
        "entity_not_found",
      ],
    ];
    for (const [body, headers, status, code] of cases) {
      const answer = await call("POST", "/v2/profiles/jobs/", body, headers);
      expect(answer, JSON.stringify([body, headers])).toMatchObject({ status, body: { error: { code } } });
    }
    expect(await call("GET", "/v2/profiles/jobs/pjob_missing/")).toMatchObject({
      status: 404,
      body: { error: { code: "job_not_found" } },
    });
    expect(await call("GET", "/v2/entities/agent/x/profile/")).toMatchObject({ status: 400 });
    expect(await call("GET", "/v2/entities/user/nobody/profile/")).toMatchObject({ status: 404 });
  });
});
