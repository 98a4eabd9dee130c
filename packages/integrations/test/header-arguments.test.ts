import { describe, expect, it } from "vitest";
import {
  allTools,
  checkArguments,
  findTool,
  HEADER_ARGUMENT_MAX_CHARS,
  headerValueProblem,
  type Integration,
  isDeclarableHeader,
  mem0,
  type Tool,
} from "../src/index.js";

function job(): Tool {
  const found = findTool(mem0, "create_a_mem_0_profile_job");
  if (found === undefined) throw new Error("no profile job tool");
  return found;
}

const valid = {
  idempotency_key: "job-key-0001",
  operation: "trigger",
  entity_type: "user",
  entity_id: "alice",
};

function refusal(args: Record<string, unknown>): string {
  const result = checkArguments(job(), args);
  if (result.ok) throw new Error("expected a refusal");
  return result.message;
}

describe("header arguments", () => {
  it("accepts printable ASCII within the bounds", () => {
    expect(checkArguments(job(), valid)).toEqual({ ok: true, args: valid });
    expect(headerValueProblem("a".repeat(HEADER_ARGUMENT_MAX_CHARS))).toBeUndefined();
  });

  it.each([
    ["a line break (header injection)", "job-key\r\nX-Evil: 1"],
    ["a space", "job key 0001"],
    ["a non-ASCII character", "job-kéy-0001"],
    ["a control character", "job-key\u00000001"],
  ])("refuses a value with %s before any call", (_label, value) => {
    expect(refusal({ ...valid, idempotency_key: value })).toContain(
      '"idempotency_key" must be printable ASCII',
    );
  });

  it("holds Mem0's key to 8 to 128 characters", () => {
    expect(refusal({ ...valid, idempotency_key: "short" })).toContain("idempotency_key");
    expect(refusal({ ...valid, idempotency_key: "k".repeat(129) })).toContain("idempotency_key");
    expect(checkArguments(job(), { ...valid, idempotency_key: "k".repeat(128) }).ok).toBe(true);
  });

  it("refuses the generic bounds whatever the tool's schema says", () => {
    expect(headerValueProblem("")).toBe("is empty");
    expect(headerValueProblem("a".repeat(HEADER_ARGUMENT_MAX_CHARS + 1))).toMatch(/longer than/);
  });

  it("never lets an integration declare a header the gateway sets", () => {
    for (const name of ["Authorization", "cookie", "Host", "Content-Length", "Transfer-Encoding"]) {
      expect(isDeclarableHeader(name), name).toBe(false);
    }
    expect(isDeclarableHeader("X Bad")).toBe(false);
    expect(isDeclarableHeader("Idempotency-Key")).toBe(true);
    const sneaky: Integration = {
      ...mem0,
      name: "sneaky",
      resources: [
        {
          name: "things",
          singular: "thing",
          tags: [],
          methods: {
            list: {
              http: {
                verb: "GET",
                path: "/things/",
                parameters: [
                  { name: "auth", in: "header", wireName: "Authorization", schema: { type: "string" } },
                ],
              },
              hints: { readOnly: true, destructive: false, idempotent: true },
              docs: { title: "T", description: "D", parameters: { auth: "A" }, example: {}, returns: "R" },
            },
          },
        },
      ],
    };
    expect(() => allTools(sneaky)).toThrow(/"Authorization" cannot be a header argument/);
  });
});
