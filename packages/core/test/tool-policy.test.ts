import { describe, expect, it } from "vitest";
import {
  filterTools,
  methodFilterVocabulary,
  methodGroupOf,
  passesToolFilter,
  tagFilterVocabulary,
  unknownFilterValues,
} from "../src/tool-policy.js";

const tools = [
  { name: "list_notes", method: "list", tags: ["notes"] },
  { name: "get_note", method: "get", tags: ["notes"] },
  { name: "create_note", method: "create", tags: ["notes"] },
  { name: "update_note", method: "update", tags: ["notes"] },
  { name: "delete_note", method: "delete", tags: ["notes", "destructive"] },
  { name: "search_notes", method: "search", tags: ["notes", "search"] },
  { name: "list_users", method: "list", tags: ["users"] },
  { name: "purge_users", method: "bulk_delete", tags: ["users", "destructive"] },
];

const names = (filter: { methods?: string[]; tags?: string[] }): string[] =>
  filterTools(tools, filter).map((tool) => tool.name);

describe("method groups", () => {
  it("puts get and list in read, create/update/delete in write, everything else in custom", () => {
    expect(["get", "list", "create", "update", "delete", "search", "bulk_delete"].map(methodGroupOf)).toEqual(
      ["read", "read", "write", "write", "write", "custom", "custom"],
    );
  });
});

describe("filterTools", () => {
  it.each([
    [{}, tools.map((tool) => tool.name)],
    [{ methods: [], tags: [] }, tools.map((tool) => tool.name)],
    [{ methods: ["read"] }, ["list_notes", "get_note", "list_users"]],
    [{ methods: ["write"] }, ["create_note", "update_note", "delete_note"]],
    [{ methods: ["custom"] }, ["search_notes", "purge_users"]],
    [{ methods: ["list"] }, ["list_notes", "list_users"]],
    [{ methods: ["search"] }, ["search_notes"]],
    [{ methods: ["read", "search"] }, ["list_notes", "get_note", "search_notes", "list_users"]],
    [{ tags: ["users"] }, ["list_users", "purge_users"]],
    [{ tags: ["destructive", "search"] }, ["delete_note", "search_notes", "purge_users"]],
    [{ methods: ["read"], tags: ["users"] }, ["list_users"]],
    [{ methods: ["write"], tags: ["users"] }, []],
    [{ methods: ["custom"], tags: ["destructive"] }, ["purge_users"]],
    [{ methods: ["readonly"] }, []],
  ])("config %j exposes %j", (filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  it("treats an empty list like a missing one", () => {
    expect(passesToolFilter({ method: "delete", tags: ["x"] }, { methods: [], tags: ["x"] })).toBe(true);
  });
});

describe("vocabulary", () => {
  it("lists groups first, then each method name once", () => {
    expect(methodFilterVocabulary(tools)).toEqual([
      "read",
      "write",
      "custom",
      "bulk_delete",
      "create",
      "delete",
      "get",
      "list",
      "search",
      "update",
    ]);
  });

  it("lists every tag once, sorted", () => {
    expect(tagFilterVocabulary(tools)).toEqual(["destructive", "notes", "search", "users"]);
  });

  it("names the filter values that select nothing", () => {
    const vocabulary = { methods: methodFilterVocabulary(tools), tags: tagFilterVocabulary(tools) };
    expect(unknownFilterValues({ methods: ["read", "fetch"], tags: ["notes", "crm"] }, vocabulary)).toEqual({
      methods: ["fetch"],
      tags: ["crm"],
    });
  });
});
