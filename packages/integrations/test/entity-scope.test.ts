import { describe, expect, it } from "vitest";
import {
  allTools,
  confineStructuredFilters,
  type ExecutionAccount,
  executeScopedTool,
  mem0,
  type ScopedRecordLedger,
  scopeProblem,
  scopeRuleOf,
  splitByScope,
  toolInScope,
  unclassifiedScopeTools,
} from "../src/index.js";

const tools = allTools(mem0);
const support = mem0.scope;
if (support === undefined) throw new Error("mem0 declares no scope support");

describe("Mem0 entity-scope classification", () => {
  it("classifies every catalogue tool: confined by a rule, or not offered with a reason", () => {
    // A tool added to the catalogue without a decision shows up here by name (it is left off scoped URLs meanwhile).
    expect(unclassifiedScopeTools(mem0, tools)).toEqual([]);
  });

  it("names only tools that exist, each in one list", () => {
    const names = new Set(tools.map((tool) => tool.name));
    const confined = Object.keys(support.rules);
    const notOffered = Object.keys(support.notOffered);
    expect(confined.filter((name) => !names.has(name))).toEqual([]);
    expect(notOffered.filter((name) => !names.has(name))).toEqual([]);
    expect(confined.filter((name) => notOffered.includes(name))).toEqual([]);
  });

  it("points every rule at an argument its tool really has", () => {
    for (const [name, rule] of Object.entries(support.rules)) {
      const tool = tools.find((candidate) => candidate.name === name);
      const argumentNames = tool?.http.parameters.map((parameter) => parameter.name) ?? [];
      if (rule.kind === "filters") expect(argumentNames, name).toContain(rule.argument);
      if (rule.kind === "record") expect(argumentNames, name).toContain(rule.idArgument);
      if (rule.kind === "records") expect(argumentNames, name).toContain(rule.argument);
      if (rule.kind === "remembered") {
        expect(argumentNames, name).toContain(rule.idArgument);
        const makers = Object.values(support.rules).filter(
          (other) =>
            (other.kind === "filters" || other.kind === "entity_arguments") &&
            other.remembers?.kind === rule.remembered,
        );
        expect(makers.length, `${name}: no tool remembers ${rule.remembered}`).toBeGreaterThan(0);
      }
      if (rule.kind === "entity_arguments")
        expect(
          argumentNames.filter((arg) => support.keys.includes(arg)),
          name,
        ).toEqual([...support.keys]);
    }
  });

  it("leaves out administration, cross-entity lists, events and any tool it does not know", () => {
    const { confinable, unconfinable } = splitByScope(mem0, tools);
    const left = unconfinable.map((tool) => tool.name);
    expect(left).toEqual(
      expect.arrayContaining([
        "list_all_mem_0_organizations",
        "create_a_mem_0_project_member",
        "create_a_mem_0_webhook",
        "list_all_mem_0_entities",
        "list_all_mem_0_stats",
        "list_all_mem_0_events",
      ]),
    );
    expect(confinable.map((tool) => tool.name)).toContain("mem_0_memories_search");
    const newcomer = { ...tools[0]!, name: "mem_0_dream_runs_list" };
    expect(scopeRuleOf(mem0, newcomer.name)).toBeUndefined();
    expect(splitByScope(mem0, [newcomer]).unconfinable).toEqual([newcomer]);
  });

  it("accepts the four entity keys and names the valid ones for anything else", () => {
    expect(scopeProblem(mem0, { user_id: "usr-99", run_id: "r1" })).toBeUndefined();
    expect(scopeProblem(mem0, { org_id: "o" })).toBe(
      "unknown scope keys for mem0: org_id; valid keys: user_id, agent_id, app_id, run_id",
    );
  });

  it("says in the description which entity a scoped tool is confined to", () => {
    const search = tools.find((tool) => tool.name === "mem_0_memories_search")!;
    const scoped = toolInScope(search, { user_id: "usr-99" });
    expect(scoped.description.startsWith(search.description)).toBe(true);
    expect(scoped.description).toContain('Scope: this server is confined to user_id "usr-99".');
    expect(search.description).not.toContain("Scope:");
  });
});

describe("scope ids", () => {
  it("refuses wildcards, empty, overlong and control-character ids, naming the key", () => {
    expect(scopeProblem(mem0, { user_id: "*" })).toBe(
      "user_id must be one literal id, without * or control characters",
    );
    expect(scopeProblem(mem0, { agent_id: "a\nb" })).toContain("agent_id must be one literal id");
    expect(scopeProblem(mem0, { run_id: " " })).toBe("run_id must be a non-empty id");
    expect(scopeProblem(mem0, { app_id: "x".repeat(129) })).toBe("app_id must be at most 128 characters");
    expect(scopeProblem(mem0, { user_id: "alex@example.com" })).toBeUndefined();
  });
});

describe("export filters on a scoped URL (structured form, fail closed)", () => {
  const keys = support.keys;
  const alice = { user_id: "alice" };
  const confine = (given: unknown, scope: Record<string, string> = alice) =>
    confineStructuredFilters(given, scope, keys, "filters");

  it("sends the scope alone when no filter, {} or a branch equal to the scope is given", () => {
    for (const given of [undefined, {}, { AND: [] }, { OR: [{ user_id: "alice" }, { user_id: "bob" }] }]) {
      expect(confine(given)).toEqual({ ok: true, filters: { AND: [{ user_id: "alice" }] } });
    }
  });

  it("refuses an OR branch that nests an operator instead of merging the scope next to it", () => {
    for (const given of [
      { OR: [{ OR: [{ user_id: "bob" }] }] },
      { OR: [{ NOT: { user_id: "alice" } }] },
      { OR: [{ AND: [{ user_id: "bob" }] }] },
      { OR: [{ user_id: "alice", NOT: { user_id: "alice" } }] },
    ]) {
      const confined = confine(given);
      expect(confined, JSON.stringify(given)).toMatchObject({ ok: false });
      expect(confined.ok || confined.message).toMatch(
        /^"filters"\.OR\[0\] has "(OR|NOT|AND)", not an entity id; /,
      );
    }
  });

  it("refuses an AND item naming another id for a pinned key, or anything but literal entity ids", () => {
    expect(confine({ AND: [{ user_id: "bob" }] })).toEqual({
      ok: false,
      message:
        '"filters".AND[0] names another user_id than this URL\'s scope (user_id "alice"), so nothing can match and there is nothing to export',
    });
    for (const [given, where] of [
      [{ AND: [{ OR: [{ user_id: "bob" }] }] }, '"filters".AND[0] has "OR"'],
      [{ AND: [{ user_id: "alice" }, { NOT: { user_id: "alice" } }] }, '"filters".AND[1] has "NOT"'],
      [{ AND: [{ user_id: { ne: "alice" } }] }, '"filters".AND[0].user_id must be a non-empty id'],
      [{ AND: [{ agent_id: "*" }] }, '"filters".AND[0].agent_id must be one literal id'],
      [{ AND: [{ categories: { in: ["x"] } }] }, '"filters".AND[0] has "categories"'],
      [{ AND: ["user_id"] }, '"filters".AND[0] must be an object of entity ids'],
      [{ OR: [{ user_id: "*" }] }, '"filters".OR[0].user_id must be one literal id'],
      [{ NOT: { user_id: "alice" } }, '"filters" has "NOT"'],
      [{ AND: [{ user_id: "alice" }], OR: [{ user_id: "bob" }] }, '"filters" has "AND"'],
      [{ AND: { user_id: "bob" } }, '"filters" has "AND"'],
    ] as const) {
      const confined = confine(given);
      expect(confined.ok, JSON.stringify(given)).toBe(false);
      expect(confined.ok || confined.message, JSON.stringify(given)).toContain(where);
    }
  });

  it("refuses the reviewed bypasses through the export tool itself, before any call", async () => {
    const exportTool = tools.find((tool) => tool.name === "create_a_mem_0_export")!;
    const account: ExecutionAccount = { credentials: { api_key: "m0-unused" }, context: {} };
    // Exports are only offered with a ledger; this one keeps ids in memory (the gateway's is in Redis).
    const made = new Set<string>();
    const ledger: ScopedRecordLedger = {
      remember: async (kind, id) => void made.add(`${kind}:${id}`),
      knows: async (kind, id) => made.has(`${kind}:${id}`),
    };
    for (const filters of [
      { OR: [{ OR: [{ user_id: "bob" }] }] },
      { OR: [{ NOT: { user_id: "alice" } }] },
      { AND: [{ user_id: "bob" }] },
      { user_id: "bob" },
    ]) {
      // Nothing listens on the discard port: only a refusal answers without a network failure.
      const result = await executeScopedTool(
        exportTool,
        { schema: { type: "object" }, filters },
        account,
        alice,
        { baseUrl: "http://127.0.0.1:9" },
        ledger,
      );
      expect(result, JSON.stringify(filters)).toMatchObject({ ok: false, kind: "invalid_arguments" });
      expect(JSON.stringify(result)).not.toContain("is not offered");
    }
    expect(made.size).toBe(0);
  });

  it("treats a flat object as one AND item, checked the same way", () => {
    expect(confine({ user_id: "bob" })).toMatchObject({ ok: false });
    expect(confine({ user_id: "alice", agent_id: "helper" })).toEqual({
      ok: true,
      filters: { AND: [{ user_id: "alice" }, { agent_id: "helper" }] },
    });
  });

  it("sends one flat AND list of one-key conditions, the scope's first", () => {
    expect(confine({ AND: [{ agent_id: "helper", user_id: "alice" }, { run_id: "r1" }] })).toEqual({
      ok: true,
      filters: { AND: [{ user_id: "alice" }, { agent_id: "helper" }, { run_id: "r1" }] },
    });
    expect(confine({ OR: [{ user_id: "bob", agent_id: "helper" }, { agent_id: "helper" }] })).toEqual({
      ok: true,
      filters: { AND: [{ user_id: "alice" }, { agent_id: "helper" }] },
    });
    expect(confine({ AND: [{ app_id: "support" }] }, { user_id: "alice", agent_id: "helper" })).toEqual({
      ok: true,
      filters: { AND: [{ user_id: "alice" }, { agent_id: "helper" }, { app_id: "support" }] },
    });
  });

  it("refuses what cannot match or cannot stay one flat condition", () => {
    expect(confine({ OR: [{ user_id: "bob" }] })).toMatchObject({ ok: false });
    expect(confine({ OR: [] })).toMatchObject({ ok: false });
    expect(confine({ AND: [{ agent_id: "a" }, { agent_id: "b" }] })).toEqual({
      ok: false,
      message:
        '"filters" gives two different agent_id values that must both hold, so nothing can match and there is nothing to export',
    });
    const split = confine({ OR: [{ agent_id: "a" }, { agent_id: "b" }] });
    expect(split.ok || split.message).toContain("export each branch on its own");
    expect(confine("user_id=alice")).toEqual({ ok: false, message: '"filters" must be a JSON object' });
  });
});

describe("delete-all on a multi-key scope", () => {
  const deleteAll = tools.find((tool) => tool.name === "mem_0_memories_delete_all")!;
  const account: ExecutionAccount = { credentials: { api_key: "m0-unused" }, context: {} };

  it("is refused before any call, saying what to use instead", async () => {
    const scope = { user_id: "alice", agent_id: "helper" };
    // No base URL is reachable here: a refusal is the only answer that does not fail on the network.
    const result = await executeScopedTool(deleteAll, {}, account, scope, { baseUrl: "http://127.0.0.1:9" });
    expect(result).toEqual({
      ok: false,
      kind: "invalid_arguments",
      message: expect.stringContaining(
        'mem_0_memories_delete_all is refused because this URL is confined to several keys (user_id "alice" and agent_id "helper"): Mem0 does not document',
      ),
    });
    expect(JSON.stringify(result)).toContain("mem_0_memories_bulk_delete");
    expect(toolInScope(deleteAll, scope).description).toContain(
      "On this URL the tool is refused because this URL is confined to several keys",
    );
  });

  it("keeps the description of a single-key scope free of that note", () => {
    expect(toolInScope(deleteAll, { user_id: "alice" }).description).not.toContain("several keys");
  });
});
