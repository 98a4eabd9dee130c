import { describe, expect, it } from "vitest";
import { categorize, extractFacts } from "../src/extraction.js";
import { IdFactory, isUuid } from "../src/ids.js";
import type { MemoryRecord } from "../src/memory-record.js";
import { scoreMemories, tokenize } from "../src/scoring.js";

describe("fact extraction", () => {
  it("rewrites first-person statements into facts and splits first-person clauses", () => {
    const facts = extractFacts([
      { role: "user", content: "Hi! I'm vegetarian and I love Rome. My name is Ana." },
    ]);
    expect(facts).toEqual([
      { text: "Is vegetarian", speaker: "user" },
      { text: "Loves Rome", speaker: "user" },
      { text: "Name is Ana", speaker: "user" },
    ]);
  });

  it("drops questions, greetings, system messages and non-text content", () => {
    const facts = extractFacts([
      { role: "system", content: "You are a travel agent." },
      { role: "user", content: "Hello. What should I pack?" },
      { role: "user", content: { type: "image_url", image_url: { url: "https://x" } } },
      { role: "assistant", content: "Thanks!" },
    ]);
    expect(facts).toEqual([]);
  });

  it("keeps assistant statements as assistant facts", () => {
    expect(extractFacts([{ role: "assistant", content: "Booked the 9am train to Porto." }])).toEqual([
      { text: "Booked the 9am train to Porto", speaker: "assistant" },
    ]);
  });

  it("is deterministic", () => {
    const messages = [{ role: "user", content: "I work at a bakery. I have two cats." }];
    expect(extractFacts(messages)).toEqual(extractFacts(messages));
  });
});

describe("categories", () => {
  it("uses the default categories, falling back to misc", () => {
    expect(categorize("Is allergic to peanuts", null)).toEqual(expect.arrayContaining(["food", "health"]));
    expect(categorize("Has a blue umbrella", null)).toEqual(["misc"]);
  });
  it("custom categories replace the defaults", () => {
    const custom: Record<string, string>[] = [
      { cooking: "recipes and cooking habits" },
      { pets: "animals the user owns" },
    ];
    expect(categorize("Shares recipes every Sunday", custom)).toEqual(["cooking"]);
    expect(categorize("Plays tennis", custom)).toEqual([]);
  });
});

function record(id: string, memory: string, userId = "u"): MemoryRecord {
  const at = new Date("2026-01-01T00:00:00Z");
  return {
    id,
    memory,
    userId,
    agentId: null,
    appId: null,
    runId: null,
    metadata: null,
    categories: [],
    createdAt: at,
    updatedAt: at,
    expirationDate: null,
    lifecycleState: "active",
  };
}

describe("hybrid scoring", () => {
  const memories = [
    record("1", "Is vegetarian"),
    record("2", "Works as a pilot for a regional airline"),
    record("3", "Has a labrador named Biscuit"),
  ];

  it("ranks by concept as well as by keyword", () => {
    expect(scoreMemories("what food does she eat", memories)[0]?.record.id).toBe("1");
    expect(scoreMemories("her job", memories)[0]?.record.id).toBe("2");
    expect(scoreMemories("pilot", memories)[0]?.record.id).toBe("2");
  });

  it("boosts memories that mention an entity named in the query", () => {
    const [top] = scoreMemories("Who is Biscuit?", memories);
    expect(top?.record.id).toBe("3");
    expect(top?.breakdown.entity).toBe(1);
  });

  it("keeps scores in [0,1] and gives an unrelated memory a low score", () => {
    const scored = scoreMemories("quantum chromodynamics", memories);
    for (const s of scored) {
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThan(0.1);
    }
  });

  it("tokenizes with stopwords removed and light stemming", () => {
    expect(tokenize("The cats are running to the parties")).toEqual(["cat", "run", "party"]);
  });
});

describe("ids", () => {
  it("a seed gives the same valid UUIDs every time", () => {
    const a = new IdFactory("seed");
    const b = new IdFactory("seed");
    const first = [a.uuid(), a.uuid()];
    expect([b.uuid(), b.uuid()]).toEqual(first);
    expect(first.every(isUuid)).toBe(true);
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new IdFactory("other").uuid()).not.toBe(first[0]);
  });
});
