import { describe, expect, it } from "vitest";
import {
  ALLOWED_FILTER_KEYS,
  FILTER_MAX_DEPTH,
  hasPositiveEntity,
  matchesFilter,
  parseFilters,
} from "../src/filters.js";
import type { MemoryRecord } from "../src/memory-record.js";

function memory(overrides: Partial<MemoryRecord>): MemoryRecord {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    memory: "Loves Italian food",
    userId: null,
    agentId: null,
    appId: null,
    runId: null,
    metadata: null,
    categories: [],
    createdAt: new Date("2024-07-15T12:00:00Z"),
    updatedAt: new Date("2024-07-20T08:00:00Z"),
    expirationDate: null,
    lifecycleState: "active",
    ...overrides,
  };
}

const alice = memory({
  id: "a",
  userId: "alice",
  agentId: null,
  runId: "r1",
  categories: ["food", "user_preferences"],
  metadata: { source: "email", priority: 2 },
});
const bob = memory({
  id: "b",
  userId: "bob",
  memory: "Runs marathons",
  categories: ["sports"],
  createdAt: new Date("2024-08-02T09:00:00Z"),
  metadata: { source: "chat" },
});
const bot = memory({
  id: "c",
  agentId: "travel-agent",
  memory: "Suggests trains over flights",
  expirationDate: "2025-01-31",
  createdAt: new Date("2024-09-10T00:00:00Z"),
});
const all = [alice, bob, bot];

/** Ids of the memories a filter selects (the filter must be valid). */
function select(filters: unknown): string[] {
  const parsed = parseFilters(filters);
  if (!parsed.ok) throw new Error(`unexpected rejection: ${parsed.message}`);
  return all.filter((m) => matchesFilter(m, parsed.filter)).map((m) => m.id);
}

function rejection(filters: unknown): string {
  const parsed = parseFilters(filters);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(filters)} to be rejected`);
  return parsed.message;
}

describe("entity fields", () => {
  it("matches a bare value and an explicit eq", () => {
    expect(select({ user_id: "alice" })).toEqual(["a"]);
    expect(select({ user_id: { eq: "bob" } })).toEqual(["b"]);
  });
  it("in matches any of the listed values", () => {
    expect(select({ user_id: { in: ["alice", "bob", "carol"] } })).toEqual(["a", "b"]);
  });
  it("* matches any non-null value, in bare and eq form", () => {
    expect(select({ agent_id: "*" })).toEqual(["c"]);
    expect(select({ run_id: { eq: "*" } })).toEqual(["a"]);
  });
  it("ne also matches records where the field is null", () => {
    expect(select({ user_id: { ne: "alice" } })).toEqual(["b", "c"]);
    expect(select({ AND: [{ user_id: "*" }, { user_id: { ne: "alice" } }] })).toEqual(["b"]);
  });
  it("rejects range and text operators", () => {
    expect(rejection({ user_id: { gt: "a" } })).toMatch(/Operator 'gt' is not supported for field 'user_id'/);
    expect(rejection({ user_id: { contains: "al" } })).toMatch(/'contains' is not supported/);
    expect(rejection({ user_id: 42 })).toMatch(/user_id/);
  });
});

describe("date fields", () => {
  it("gte/lte with bare dates cover whole days", () => {
    expect(select({ created_at: { gte: "2024-07-01", lte: "2024-07-31" } })).toEqual(["a"]);
    expect(select({ created_at: { lte: "2024-07-15" } })).toEqual(["a"]);
  });
  it("gt and lt are strict, and ISO datetimes compare to the millisecond", () => {
    expect(select({ created_at: { gt: "2024-07-15" } })).toEqual(["b", "c"]);
    expect(select({ created_at: { lt: "2024-07-15T12:00:01Z" } })).toEqual(["a"]);
    expect(select({ created_at: { gt: "2024-07-15T12:00:00Z" } })).toEqual(["b", "c"]);
  });
  it("a bare value means on that day; ne and in follow the same rule", () => {
    expect(select({ created_at: "2024-08-02" })).toEqual(["b"]);
    expect(select({ updated_at: { ne: "2024-07-20" } })).toEqual([]);
    expect(select({ created_at: { in: ["2024-08-02", "2024-07-15"] } })).toEqual(["a", "b"]);
  });
  it("treats timezone-naive datetimes as UTC", () => {
    expect(select({ created_at: { gte: "2024-08-02T09:00:00", lt: "2024-08-02T09:00:01Z" } })).toEqual(["b"]);
  });
  it("compares expiration_date, and ne matches memories with none", () => {
    expect(select({ expiration_date: { lt: "2025-02-01" } })).toEqual(["c"]);
    expect(select({ expiration_date: { ne: "2025-01-31" } })).toEqual(["a", "b"]);
  });
  it("timestamp filters on the creation time", () => {
    expect(select({ timestamp: { gte: "2024-08-01" } })).toEqual(["b", "c"]);
  });
  it("rejects an explicit eq, saying to pass the value directly", () => {
    expect(rejection({ created_at: { eq: "2024-07-15" } })).toMatch(
      /'eq' is not supported for field 'created_at'; pass the value directly/,
    );
  });
  it("rejects unparseable dates and unknown operators", () => {
    expect(rejection({ created_at: { gte: "last tuesday" } })).toMatch(/expects a date/);
    expect(rejection({ created_at: { ">=": "2024-01-01" } })).toMatch(/Operator '>=' is not supported/);
  });
});

describe("categories, metadata, keywords, memory_ids, text", () => {
  it("categories in is any-of, contains is a case-insensitive substring", () => {
    expect(select({ categories: { in: ["sports", "travel"] } })).toEqual(["b"]);
    expect(select({ categories: { contains: "PREF" } })).toEqual(["a"]);
  });
  it("categories rejects eq and ne", () => {
    expect(rejection({ categories: { eq: "food" } })).toMatch(
      /Operator 'eq' is not supported for field 'categories'/,
    );
    expect(rejection({ categories: { ne: "food" } })).toMatch(/Operator 'ne'/);
    expect(rejection({ categories: "food" })).toMatch(/eq and ne are not supported/);
  });
  it("metadata matches top-level keys with bare values, eq, ne and contains", () => {
    expect(select({ metadata: { source: "email" } })).toEqual(["a"]);
    expect(select({ metadata: { priority: { eq: 2 } } })).toEqual(["a"]);
    expect(select({ metadata: { source: { ne: "email" } } })).toEqual(["b", "c"]);
    expect(select({ metadata: { source: { contains: "HA" } } })).toEqual(["b"]);
  });
  it("metadata rejects in, gt, lists and nested keys", () => {
    expect(rejection({ metadata: { source: { in: ["email"] } } })).toMatch(
      /Operator 'in' is not supported for field 'metadata.source'/,
    );
    expect(rejection({ metadata: { priority: { gt: 1 } } })).toMatch(/Operator 'gt'/);
    expect(rejection({ metadata: { source: ["email", "chat"] } })).toMatch(/OR several equality clauses/);
    expect(rejection({ metadata: { a: { b: "c" } } })).toMatch(/nested metadata keys are not supported/);
  });
  it("keywords contains is case-sensitive and icontains is not", () => {
    expect(select({ keywords: { contains: "Runs" } })).toEqual(["b"]);
    expect(select({ keywords: { contains: "runs" } })).toEqual([]);
    expect(select({ keywords: { icontains: "runs" } })).toEqual(["b"]);
    expect(rejection({ keywords: "runs" })).toMatch(/contains/);
  });
  it("memory_ids takes a bare list or in", () => {
    expect(select({ memory_ids: ["a", "c"] })).toEqual(["a", "c"]);
    expect(select({ memory_ids: { in: ["b"] } })).toEqual(["b"]);
    expect(rejection({ memory_ids: { eq: "b" } })).toMatch(/Operator 'eq'/);
  });
  it("text is a case-insensitive substring", () => {
    expect(select({ text: "italian" })).toEqual(["a"]);
  });
});

describe("logic and structure", () => {
  it("AND, OR and NOT nest", () => {
    expect(select({ OR: [{ user_id: "alice" }, { agent_id: { in: ["travel-agent"] } }] })).toEqual([
      "a",
      "c",
    ]);
    expect(select({ AND: [{ user_id: "*" }, { NOT: { categories: { in: ["sports"] } } }] })).toEqual(["a"]);
    expect(
      select({
        AND: [
          { OR: [{ user_id: "alice" }, { user_id: "bob" }] },
          { NOT: { OR: [{ metadata: { source: "chat" } }] } },
        ],
      }),
    ).toEqual(["a"]);
  });
  it("sibling keys are implicitly ANDed", () => {
    expect(select({ user_id: "alice", categories: { in: ["food"] } })).toEqual(["a"]);
    expect(select({ user_id: "alice", categories: { in: ["sports"] } })).toEqual([]);
  });
  it("silently drops OR when it is a sibling of AND, like Mem0", () => {
    expect(select({ AND: [{ user_id: "alice" }], OR: [{ user_id: "bob" }] })).toEqual(["a"]);
  });
  it("rejects keys outside the allow-list with Mem0's message, at any depth", () => {
    const expected = `Top-level key must be a logical operator or an allowed field: [${ALLOWED_FILTER_KEYS.map((k) => `'${k}'`).join(", ")}]`;
    expect(rejection({ user: "alice" })).toBe(expected);
    expect(rejection({ AND: [{ user_id: "a" }, { score: { gt: 1 } }] })).toBe(expected);
    expect(expected).toContain("'keywords_search', 'memory_ids', 'keywords']");
  });
  it("rejects malformed logic", () => {
    expect(rejection({ AND: { user_id: "a" } })).toMatch(/AND takes a non-empty array/);
    expect(rejection({ OR: [] })).toMatch(/OR takes a non-empty array/);
    expect(rejection({ NOT: [{ user_id: "a" }] })).toMatch(/NOT takes one condition object/);
    expect(rejection({ AND: ["user_id"] })).toMatch(/must be a JSON object/);
    expect(rejection({})).toMatch(/empty/);
  });
  it("refuses nesting deeper than the limit instead of recursing without bound", () => {
    let deep: unknown = { user_id: "a" };
    for (let i = 0; i < FILTER_MAX_DEPTH + 1; i += 1) deep = { NOT: deep };
    expect(rejection(deep)).toMatch(/nest at most/);
  });

  it("rejects garbage with a message, never an exception", () => {
    for (const garbage of [
      null,
      1,
      "user_id",
      [],
      { AND: [null] },
      { NOT: null },
      { metadata: null },
      { created_at: null },
      { memory_ids: [1] },
      { categories: { in: [] } },
    ]) {
      const parsed = parseFilters(garbage);
      expect(parsed.ok, JSON.stringify(garbage)).toBe(false);
    }
  });

  it("there is no nin operator", () => {
    expect(rejection({ user_id: { nin: ["a"] } })).toMatch(/Operator 'nin' is not supported/);
  });
});

describe("positive entity scoping", () => {
  const positive = (filters: unknown): boolean => {
    const parsed = parseFilters(filters);
    if (!parsed.ok) throw new Error(parsed.message);
    return hasPositiveEntity(parsed.filter);
  };
  it("accepts eq, in and * on an entity, inside AND or in every OR branch", () => {
    expect(positive({ user_id: "a" })).toBe(true);
    expect(positive({ agent_id: { in: ["x"] } })).toBe(true);
    expect(positive({ run_id: "*" })).toBe(true);
    expect(positive({ AND: [{ created_at: { gte: "2024-01-01" } }, { app_id: "x" }] })).toBe(true);
    expect(positive({ OR: [{ user_id: "a" }, { agent_id: "b" }] })).toBe(true);
  });
  it("does not count ne, NOT, non-entity fields or a partly scoped OR", () => {
    expect(positive({ user_id: { ne: "a" } })).toBe(false);
    expect(positive({ NOT: { user_id: "a" } })).toBe(false);
    expect(positive({ categories: { in: ["food"] } })).toBe(false);
    expect(positive({ OR: [{ user_id: "a" }, { categories: { in: ["x"] } }] })).toBe(false);
  });
});
