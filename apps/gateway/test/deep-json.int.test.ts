import { LIMITS } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { expectEnvelope } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { postRaw } from "./mcp-support.js";

// The report: about 5,000 nested arrays behind a valid MCP URL answered 500 and logged a stack overflow on
// every try, so any URL holder could fill the error log. Deep bodies are now refused before parsing.
const redis = useTestRedis();
const stack = useTestStack(redis);

const deepArrays = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

function errorLines(): string[] {
  return stack.logs.lines().filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

async function mintedUrl(): Promise<string> {
  const { apiToken } = await stack.createTenant();
  const accountId = await stack.connectMem0(apiToken);
  return (await stack.mint(apiToken, accountId, { name: "Deep" })).url;
}

describe("deeply nested JSON bodies", () => {
  it("the MCP endpoint answers 400 with a JSON-RPC error that says to flatten, and logs no error", async () => {
    const url = await mintedUrl();
    for (const body of [
      deepArrays(5_000),
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_mem_0_memories","arguments":{"filters":${deepArrays(5_000)}}}}`,
    ]) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body,
      });
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: { code: number; message: string } };
      expect(answer.error.code).toBe(-32600);
      expect(answer.error.message).toContain(`deeper than ${LIMITS.jsonMaxDepth} levels`);
    }
    expect(errorLines()).toEqual([]);
  });

  it("arguments nested within the limit still reach the tool", async () => {
    const url = await mintedUrl();
    // Nested filters within the limit are parsed, validated and run as usual.
    const filters = `${'{"AND":['.repeat(10)}{"user_id":"u"}${"]}".repeat(10)}`;
    const response = await postRaw(
      url,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_mem_0_memories","arguments":{"filters":${filters}}}}`,
      { "mcp-protocol-version": "2025-11-25" },
    );
    expect(response.status).toBe(200);
    const answer = JSON.parse(response.text) as { result: { isError?: boolean } };
    expect(answer.result.isError ?? false).toBe(false);
  });

  it("an admin route answers 400 with the envelope and changes nothing", async () => {
    const { apiToken } = await stack.createTenant();
    const res = await stack.call("POST", "/integrated-account", {
      token: apiToken,
      body: `{"integration":"mem0","name":"x","credentials":${deepArrays(5_000)}}`,
    });
    expectEnvelope(res, 400, "bad_request");
    expect(res.body.message).toContain("flatten it");
    const list = await stack.call("GET", "/integrated-account", { token: apiToken });
    expect(list.body.result).toEqual([]);
    expect(errorLines()).toEqual([]);
  });
});
