import { readFileSync } from "node:fs";
import { allTools, mem0 } from "@mcp-gateway/integrations";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";

// The output schemas are written from Mem0's documents; this holds them to Mem0's OpenAPI description (the
// sandbox's copy): for each tool, answers built from the documented response schema, once with every
// nullable field null and once with every field filled, must match the tool's output schema. So a field
// Mem0 may send as null is never declared non-null, and no declared type contradicts the spec.

type Json = Record<string, unknown>;
const spec = JSON.parse(
  readFileSync(new URL("../../mem0-sandbox/test/fixtures/mem0-openapi.json", import.meta.url), "utf8"),
) as Json;

function resolve(node: Json): Json {
  let current = node;
  while (typeof current.$ref === "string") {
    let target: unknown = spec;
    for (const part of current.$ref.replace(/^#\//, "").split("/")) target = (target as Json)[part];
    current = target as Json;
  }
  return current;
}

const SAMPLE_STRINGS: Record<string, string> = {
  "date-time": "2026-07-26T10:29:36.630547-07:00",
  date: "2026-08-01",
  uuid: "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",
  email: "member@example.com",
  uri: "https://example.com/hook",
};

/** One answer the spec allows: every property present, nullable ones null when `nullsWherever` is set. */
function sampleOf(raw: Json, nullsWherever: boolean, depth = 0): unknown {
  const schema = resolve(raw);
  if (depth > 8) return null;
  if (nullsWherever && schema.nullable === true) return null;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const branches = (schema.allOf ?? schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(part as Json, nullsWherever, depth + 1)));
  }
  if (branches !== undefined && branches[0] !== undefined)
    return sampleOf(branches[0], nullsWherever, depth + 1);
  switch (schema.type) {
    case "string":
      return SAMPLE_STRINGS[String(schema.format)] ?? "text";
    case "integer":
      return 3;
    case "number":
      return 0.5;
    case "boolean":
      return true;
    case "array":
      return schema.items === undefined ? [] : [sampleOf(schema.items as Json, nullsWherever, depth + 1)];
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [
          name,
          sampleOf(property, nullsWherever, depth + 1),
        ]),
      );
    }
  }
}

function documentedAnswer(verb: string, path: string): Json | undefined {
  const operation = ((spec.paths as Json)[path] as Json | undefined)?.[verb.toLowerCase()] as
    | Json
    | undefined;
  const responses = (operation?.responses ?? {}) as Json;
  const success = (responses["200"] ?? responses["201"]) as Json | undefined;
  return ((success?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as
    | Json
    | undefined;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const withOutput = allTools(mem0).filter((tool) => tool.outputSchema !== undefined);

describe("output schemas against Mem0's OpenAPI description", () => {
  it("has a documented answer for every tool with an output schema", () => {
    const undocumented = withOutput.filter(
      (tool) => documentedAnswer(tool.http.verb, tool.http.path) === undefined,
    );
    expect(undocumented.map((tool) => tool.name)).toEqual([]);
  });

  it.each(withOutput.map((tool) => [tool.name, tool] as const))(
    "%s accepts the answers the spec allows",
    (_name, tool) => {
      const documented = documentedAnswer(tool.http.verb, tool.http.path);
      if (documented === undefined || tool.outputSchema === undefined) throw new Error("checked above");
      const validate = ajv.compile(tool.outputSchema);
      for (const nullsWherever of [true, false]) {
        const answer = sampleOf(documented, nullsWherever);
        const structured = Array.isArray(answer) ? { result: answer } : answer;
        expect(
          validate(structured),
          `${JSON.stringify(structured)}: ${ajv.errorsText(validate.errors)}`,
        ).toBe(true);
      }
    },
  );
});
