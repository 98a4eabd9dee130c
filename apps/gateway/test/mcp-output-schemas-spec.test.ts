import { readFileSync } from "node:fs";
import { allTools, mem0 } from "@mcp-gateway/integrations";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { NEWER_SHAPES } from "../../mem0-sandbox/test/support/newer-shapes.js";

// The output schemas are written from Mem0's documents; this holds them to Mem0's OpenAPI description (the
// sandbox's copy) and, for Dream and Profiles, which that copy predates, to the documented shapes the sandbox
// is tested against: for each tool, answers built from the documented response schema, once with every
// nullable field null and once with every field filled, must match the tool's output schema. So a field
// Mem0 may send as null is never declared non-null, and no declared type contradicts the documents.

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

const isNullBranch = (branch: Json): boolean => branch.type === "null";

/** Whether a schema lets the value be null (OpenAPI 3.0 `nullable`, a type list, or a null branch). */
function allowsNull(schema: Json): boolean {
  return (
    schema.nullable === true ||
    (Array.isArray(schema.type) && schema.type.includes("null")) ||
    (Array.isArray(schema.anyOf) && (schema.anyOf as Json[]).some(isNullBranch))
  );
}

/**
 * One answer a schema allows: every property present, nullable ones null when `nullsWherever` is set
 * (otherwise filled with their first non-null type), and one entry in a map of named values.
 */
function sampleOf(raw: Json, nullsWherever: boolean, depth = 0): unknown {
  const schema = resolve(raw);
  if (depth > 8) return null;
  if (nullsWherever && allowsNull(schema)) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(part as Json, nullsWherever, depth + 1)));
  }
  const branches = ((schema.oneOf ?? schema.anyOf) as Json[] | undefined)?.filter((b) => !isNullBranch(b));
  if (branches !== undefined && branches[0] !== undefined)
    return sampleOf(branches[0], nullsWherever, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "null":
      return null;
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
      const named = schema.additionalProperties;
      return {
        ...(typeof named === "object" && named !== null && Object.keys(properties).length === 0
          ? { some_name: sampleOf(named as Json, nullsWherever, depth + 1) }
          : {}),
        ...Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [
            name,
            sampleOf(property, nullsWherever, depth + 1),
          ]),
        ),
      };
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

/** Dream and Profiles tools, by the documented shape of their answer (newer-endpoints.md §1 and §2). */
const NEWER_SHAPE_OF: Record<string, keyof typeof NEWER_SHAPES> = {
  get_single_mem_0_dream_config_by_id: "GET dream/config",
  update_a_mem_0_dream_config_by_id: "PATCH dream/config",
  list_all_mem_0_dream_stats: "GET dream/stats",
  list_all_mem_0_dream_activity: "GET dream/activity",
  list_all_mem_0_dream_runs: "GET dream/runs",
  list_all_mem_0_dream_run_memories: "GET dream/runs/{run_id}/memories",
  list_all_mem_0_dream_memory_sources: "GET dream/memory/{memory_id}/sources",
  mem_0_dream_preview: "POST dream/preview",
  get_single_mem_0_profile_by_id: "GET profile",
  get_single_mem_0_profile_settings_by_id: "GET profiles/settings",
  update_a_mem_0_profile_settings_by_id: "POST profiles/settings",
  create_a_mem_0_profile_job: "POST profiles/jobs",
  get_single_mem_0_profile_job_by_id: "GET profiles/jobs/{job_id}",
};

/** The documented answer of a tool: the OpenAPI response schema, or the newer families' documented shape. */
function documentedFor(tool: { name: string; http: { verb: string; path: string } }): Json | undefined {
  const newer = NEWER_SHAPE_OF[tool.name];
  return newer === undefined
    ? documentedAnswer(tool.http.verb, tool.http.path)
    : (NEWER_SHAPES[newer] as unknown as Json);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const withOutput = allTools(mem0).filter((tool) => tool.outputSchema !== undefined);

describe("output schemas against Mem0's OpenAPI description", () => {
  it("has a documented answer for every tool with an output schema", () => {
    const undocumented = withOutput.filter((tool) => documentedFor(tool) === undefined);
    expect(undocumented.map((tool) => tool.name)).toEqual([]);
  });

  it("maps each Dream and Profiles tool to the documented shape of its own operation", () => {
    for (const [name, shape] of Object.entries(NEWER_SHAPE_OF)) {
      const tool = withOutput.find((candidate) => candidate.name === name);
      if (tool === undefined) throw new Error(`${name} has no output schema`);
      const [verb, path] = shape.split(" ") as [string, string];
      expect(tool.http.verb, name).toBe(verb);
      const tail = path === "profile" ? "/{entity_type}/{entity_id}/profile/" : `/${path}/`;
      expect(tool.http.path.endsWith(tail), `${tool.http.path} ends with ${tail}`).toBe(true);
    }
  });

  it.each(withOutput.map((tool) => [tool.name, tool] as const))(
    "%s accepts the answers the spec allows",
    (_name, tool) => {
      const documented = documentedFor(tool);
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

describe("Profiles output schemas where Mem0's sources disagree (newer-endpoints.md §2)", () => {
  const schemaOf = (name: string) => {
    const tool = withOutput.find((candidate) => candidate.name === name);
    if (tool?.outputSchema === undefined) throw new Error(`${name} has no output schema`);
    return ajv.compile(tool.outputSchema);
  };
  const accepts = (name: string, answer: Json): void => {
    const validate = schemaOf(name);
    expect(validate(answer), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  };

  it("accepts the 34894e2c spec's flat settings as well as the live nested ones", () => {
    const flat = { enabled: true, schema: { type: "object" }, custom_instructions: null };
    accepts("get_single_mem_0_profile_settings_by_id", flat);
    accepts("update_a_mem_0_profile_settings_by_id", flat);
  });

  it("accepts a new job as the 34894e2c spec describes it, with usage_units and results", () => {
    accepts("create_a_mem_0_profile_job", {
      job_id: "job-1",
      status: "QUEUED",
      status_url: "/v2/profiles/jobs/job-1/",
      operation: "sample",
      entity_type: "agent",
      usage_units: 3,
      results: [{ entity_id: "alice" }],
    });
  });

  it("accepts a profile without generation_count, as the docs' example shows it", () => {
    accepts("get_single_mem_0_profile_by_id", {
      profile: {},
      status: "not_enabled",
      entity_type: "user",
      entity_id: "alice",
      updated_at: null,
    });
  });

  it("still refuses an answer without the fields every source shows", () => {
    const validate = schemaOf("create_a_mem_0_profile_job");
    expect(validate({ status: "QUEUED" })).toBe(false);
    expect(schemaOf("get_single_mem_0_profile_by_id")({ profile: {}, status: "pending" })).toBe(false);
  });
});
