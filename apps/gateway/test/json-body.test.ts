import { LIMITS } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../src/http/json-body.js";

const nested = (depth: number, open = "[", close = "]"): string => open.repeat(depth) + close.repeat(depth);

describe("nestsDeeperThan", () => {
  it("allows exactly the limit and refuses one more level, for arrays and objects", () => {
    expect(nestsDeeperThan(nested(LIMITS.jsonMaxDepth), LIMITS.jsonMaxDepth)).toBe(false);
    expect(nestsDeeperThan(nested(LIMITS.jsonMaxDepth + 1), LIMITS.jsonMaxDepth)).toBe(true);
    const objects = `${'{"a":'.repeat(5)}1${"}".repeat(5)}`;
    expect(nestsDeeperThan(objects, 5)).toBe(false);
    expect(nestsDeeperThan(objects, 4)).toBe(true);
  });

  it("counts depth, not the number of containers side by side", () => {
    expect(nestsDeeperThan(`[${"[],".repeat(10_000)}[]]`, 2)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(nestsDeeperThan(JSON.stringify({ text: "[[[[[[[[{{{{" }), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: 'say "[[[[" \\ ok' }), 2)).toBe(false);
    expect(nestsDeeperThan(`["\\"", [[["x"]]]]`, 3)).toBe(true);
  });
});
