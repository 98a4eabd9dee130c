import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allTools, mem0 } from "../src/index.js";

/**
 * Coverage of Mem0's API: every current operation has exactly one tool, and no tool calls a deprecated one.
 * The list of operations is our transcription of the reference endpoint index (fixtures/mem0-operations.json);
 * the part of it that comes from openapi.json is checked against the sandbox's copy of that spec, so a
 * mistake in the list cannot hide a missing tool.
 */

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly source?: "openapi.json" | "newer-endpoints";
}

const operations = JSON.parse(
  readFileSync(new URL("./fixtures/mem0-operations.json", import.meta.url), "utf8"),
) as { current: Operation[]; deprecated: Operation[] };

const spec = JSON.parse(
  readFileSync(
    new URL("../../../apps/mem0-sandbox/test/fixtures/mem0-openapi.json", import.meta.url),
    "utf8",
  ),
) as { paths: Record<string, Record<string, { operationId?: string; deprecated?: boolean }>> };

/** "METHOD path" with every {placeholder} blanked, so {memory_id} and {id} name the same route. */
function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`;
}

const tools = allTools(mem0);
const toolsByRoute = new Map<string, string[]>();
for (const tool of tools) {
  const key = routeKey(tool.http.verb, tool.http.path);
  toolsByRoute.set(key, [...(toolsByRoute.get(key) ?? []), tool.name]);
}

describe("coverage of Mem0's current API", () => {
  it("lists 62 current and 6 deprecated operations, and the spec's part agrees with openapi.json", () => {
    expect(operations.current).toHaveLength(62);
    expect(operations.deprecated).toHaveLength(6);
    const fromSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map(([method, operation]) => ({
          key: routeKey(method, path),
          operationId: operation.operationId,
          deprecated: operation.deprecated === true,
        })),
    );
    const listed = (list: Operation[]) =>
      list
        .filter((operation) => operation.source !== "newer-endpoints")
        .map((operation) => `${routeKey(operation.method, operation.path)} ${operation.operationId}`)
        .sort();
    expect(listed(operations.current)).toEqual(
      fromSpec
        .filter((operation) => !operation.deprecated)
        .map((operation) => `${operation.key} ${operation.operationId}`)
        .sort(),
    );
    expect(listed(operations.deprecated)).toEqual(
      fromSpec
        .filter((operation) => operation.deprecated)
        .map((operation) => `${operation.key} ${operation.operationId}`)
        .sort(),
    );
  });

  it("has exactly one tool for every current operation", () => {
    const missing = operations.current
      .filter((operation) => !toolsByRoute.has(routeKey(operation.method, operation.path)))
      .map((operation) => `${operation.operationId} (${operation.method} ${operation.path})`);
    expect(missing).toEqual([]);
    const doubled = [...toolsByRoute.entries()].filter(([, names]) => names.length > 1);
    expect(doubled).toEqual([]);
  });

  it("has no tool that calls a deprecated operation", () => {
    const deprecated = new Set(
      operations.deprecated.map((operation) => routeKey(operation.method, operation.path)),
    );
    expect(
      tools.filter((tool) => deprecated.has(routeKey(tool.http.verb, tool.http.path))).map((t) => t.name),
    ).toEqual([]);
  });

  it("has no tool outside the current API", () => {
    const current = new Set(
      operations.current.map((operation) => routeKey(operation.method, operation.path)),
    );
    expect(
      tools.filter((tool) => !current.has(routeKey(tool.http.verb, tool.http.path))).map((t) => t.name),
    ).toEqual([]);
    expect(tools).toHaveLength(operations.current.length);
  });

  it("is listed in the README, one row per tool", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### The Mem0 tools"), readme.indexOf("## Configuration"));
    const rows = [...section.matchAll(/^\| `([a-z0-9_]+)` \| (GET|POST|PUT|PATCH|DELETE) /gm)].map(
      (m) => m[1],
    );
    expect([...rows].sort()).toEqual(tools.map((tool) => tool.name));
    expect(section).toContain(`${tools.length} of them`);
  });
});
