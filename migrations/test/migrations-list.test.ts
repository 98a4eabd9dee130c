import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrations } from "../src/index.js";

describe("the migrations list", () => {
  it("lists every numbered file in migrations/src, in order", () => {
    const files = readdirSync(new URL("../src", import.meta.url))
      .filter((name) => /^\d{4}-.+\.ts$/.test(name))
      .sort();
    const listed = migrations.map((m) => `${String(m.id).padStart(4, "0")}-${m.name}.ts`);
    expect(listed).toEqual(files);
  });
});
