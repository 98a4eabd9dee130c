import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { jsonRpcFrom } from "../../../test/support/json-rpc.js";
import { openTestNamespace } from "../../../test/support/redis.js";
import { postRaw } from "./mcp-support.js";

// The reported escape: a URL minted for project reads only called get_single_mem_0_project_by_id with
// {"id":".."} and received the organization; {"id":"."} listed every project; and with write methods,
// delete_a_mem_0_project_by_id {"id":".."} became a DELETE of the organization.
let stack: TestStack;
let dispose: () => Promise<void>;
let projectsReadOnly: string;
let everything: string;
let apiToken: string;

beforeAll(async () => {
  const redis = await openTestNamespace();
  dispose = redis.dispose;
  stack = await startTestStack(redis);
  ({ apiToken } = await stack.createTenant("Escape"));
  const accountId = await stack.connectMem0(apiToken);
  projectsReadOnly = (
    await stack.mint(apiToken, accountId, {
      name: "Project reads",
      config: { methods: ["read"], tags: ["projects"] },
    })
  ).url;
  everything = (await stack.mint(apiToken, accountId, { name: "All" })).url;
});

afterAll(async () => {
  await stack?.close();
  await dispose?.();
});

async function callTool(url: string, name: string, args: Record<string, unknown>): Promise<any> {
  const body = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } };
  const response = await postRaw(url, body, { "mcp-protocol-version": "2025-11-25" });
  expect(response.status).toBe(200);
  return jsonRpcFrom(response.text).result;
}

describe("a URL cannot escape its filters through a path parameter", () => {
  for (const id of ["..", ".", "../..", "%2e%2e", "a/../.."]) {
    it(`get_single_mem_0_project_by_id {"id":${JSON.stringify(id)}} is refused and never reaches Mem0`, async () => {
      const before = stack.sandbox.requestCount();
      const result = await callTool(projectsReadOnly, "get_single_mem_0_project_by_id", { id });
      expect(result.isError).toBe(true);
      expect(result.content[0].text).toContain('"id"');
      expect(result.content[0].text).not.toContain("organization");
      expect(stack.sandbox.requestCount()).toBe(before);
    });
  }

  it('delete_a_mem_0_project_by_id {"id":".."} deletes nothing, and the projects are all still there', async () => {
    const before = await callTool(everything, "list_all_mem_0_projects", {});
    expect(before.isError ?? false).toBe(false);
    const result = await callTool(everything, "delete_a_mem_0_project_by_id", { id: ".." });
    expect(result.isError).toBe(true);
    const after = await callTool(everything, "list_all_mem_0_projects", {});
    expect(after.structuredContent).toEqual(before.structuredContent);
    const org = await callTool(everything, "get_single_mem_0_organization_by_id", {});
    expect(org.isError ?? false).toBe(false);
  });

  it("an ordinary project id still works on the filtered URL", async () => {
    const list = await callTool(everything, "list_all_mem_0_projects", {});
    const projects = (list.structuredContent.result ?? list.structuredContent.results) as {
      project_id: string;
    }[];
    const first = projects[0]?.project_id;
    expect(first).toBeDefined();
    const result = await callTool(projectsReadOnly, "get_single_mem_0_project_by_id", { id: first });
    expect(result.isError ?? false).toBe(false);
  });
});
