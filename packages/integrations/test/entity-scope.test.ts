import { describe, expect, it } from "vitest";
import {
  allTools,
  mem0,
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
