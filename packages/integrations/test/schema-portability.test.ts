import { describe, expect, it } from "vitest";
import type { Integration } from "../src/index.js";
import { allTools, mem0 } from "../src/index.js";
import { anyOfTypes, nullable, schemaPortabilityFindings } from "../src/schema-portability.js";
import { validatorFor } from "../src/schema-validator.js";
import { notesIntegration } from "./support/notes-integration.js";

const rules = (schema: Record<string, unknown>): string[] =>
  schemaPortabilityFindings(schema).map((finding) => `${finding.rule}@${finding.path}`);

describe("schema portability rules (as the Inspector's --strict check applies them)", () => {
  it("flags a type list anywhere, even nested in items", () => {
    expect(rules({ type: ["string", "null"] })).toEqual(["type-union@"]);
    expect(
      rules({
        type: "object",
        properties: {
          list: {
            type: "array",
            items: { type: "object", properties: { a: { type: ["string", "object"] } } },
          },
        },
      }),
    ).toEqual(["type-union@properties.list.items.properties.a"]);
  });

  it("flags a bare boolean schema but not additionalProperties: false", () => {
    expect(rules({ type: "object", properties: { a: true }, additionalProperties: false })).toEqual([
      "boolean-schema@properties.a",
    ]);
  });

  it("flags a schema that constrains nothing and a reference to another document", () => {
    expect(rules({ type: "object", properties: { a: { description: "anything" } } })).toEqual([
      "untyped-schema@properties.a",
    ]);
    expect(rules({ type: "object", properties: { a: { $ref: "https://example.com/s.json" } } })).toEqual([
      "remote-ref@properties.a",
    ]);
    expect(
      rules({ $defs: { x: { type: "string" } }, type: "object", properties: { a: { $ref: "#/$defs/x" } } }),
    ).toEqual([]);
  });

  it("accepts the portable spellings of a union and of null", () => {
    expect(rules(anyOfTypes({ type: "string", minLength: 1 }, { type: "integer" }))).toEqual([]);
    expect(rules(nullable({ type: "string", format: "date" }))).toEqual([]);
    expect(rules({ not: {} })).toEqual([]);
  });
});

describe("the portable spellings", () => {
  // The type lists the catalogue used to carry, beside what replaced them: same verdict on every sample.
  const replaced = [
    [{ type: ["string", "null"], format: "date" }, nullable({ type: "string", format: "date" })],
    [{ type: ["string", "null"] }, nullable({ type: "string" })],
    [{ type: ["string", "object"] }, anyOfTypes({ type: "string" }, { type: "object" })],
    [
      { type: ["string", "integer"], minLength: 1 },
      anyOfTypes({ type: "string", minLength: 1 }, { type: "integer" }),
    ],
    [
      { enum: ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE", null] },
      nullable({ type: "string", enum: ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"] }),
    ],
  ] as const;
  const samples = [
    null,
    "",
    "x",
    "2026-01-31",
    "2026-13-01",
    "POSITIVE",
    "GOOD",
    0,
    7,
    4.5,
    true,
    {},
    { a: 1 },
    [],
  ];

  it.each(replaced.map(([before, after]) => [JSON.stringify(before), before, after] as const))(
    "%s accepts and refuses exactly what it did",
    (_label, before, after) => {
      const old = validatorFor(before);
      const now = validatorFor(after);
      for (const sample of samples) expect(now(sample), JSON.stringify(sample)).toBe(old(sample));
    },
  );
});

describe("every catalogue tool", () => {
  it.each(allTools(mem0).map((tool) => [tool.name, tool] as const))(
    "%s has portable schemas",
    (_name, tool) => {
      expect(schemaPortabilityFindings(tool.inputSchema)).toEqual([]);
      if (tool.outputSchema !== undefined) expect(schemaPortabilityFindings(tool.outputSchema)).toEqual([]);
    },
  );

  it("cannot be built with an unportable schema: the builder refuses it and says how to fix it", () => {
    const [resource] = notesIntegration.resources;
    if (resource === undefined) throw new Error("the notes integration has a resource");
    const list = resource.methods.list;
    if (list === undefined) throw new Error("the notes integration lists notes");
    const broken: Integration = {
      ...notesIntegration,
      name: "notes_broken",
      resources: [
        {
          ...resource,
          methods: {
            list: {
              ...list,
              http: {
                ...list.http,
                parameters: [{ name: "tag", in: "query", schema: { type: ["string", "null"] } }],
              },
              docs:
                list.docs === undefined
                  ? undefined
                  : { ...list.docs, parameters: { tag: "Tag." }, example: {} },
            },
          },
        },
      ],
    };
    expect(() => allTools(broken)).toThrow(
      /list_all_notes_broken_notes: inputSchema is not portable across MCP clients: type-union at properties.tag: use anyOf/,
    );
  });
});
