import { spawnRedisServer } from "@mcp-gateway/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { endpointUrl, openRawStream, postMessage, type RawStream } from "./legacy-sse-support.js";

// The legacy transport while its Redis crashes and comes back: the gateway answers 503 with Retry-After
// (never 500, never a hang), and afterwards the instance's subscriber is listening again, so open streams
// and new ones are answered.

let redis: Awaited<ReturnType<typeof spawnRedisServer>>;
let stack: TestStack;
let url: string;

beforeAll(async () => {
  redis = await spawnRedisServer({ appendOnly: true });
  stack = await startTestStack({ url: redis.url, keyPrefix: "mcpg-sse-outage:" });
  const { apiToken } = await stack.createTenant("Outage");
  const accountId = await stack.connectMem0(apiToken);
  url = (await stack.mint(apiToken, accountId, { name: "SSE", config: {} })).url;
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await redis?.dispose();
});

const listTools = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/list", params: {} });

async function answered(stream: RawStream, endpoint: string, id: number): Promise<void> {
  expect((await postMessage(endpoint, listTools(id))).status).toBe(202);
  expect(JSON.parse((await stream.next()).data)).toMatchObject({ id, result: { tools: expect.any(Array) } });
}

describe("legacy HTTP+SSE through a Redis outage", () => {
  it("answers 503 with Retry-After while Redis is down, then serves open and new streams again", async () => {
    const before = await openRawStream(url);
    const beforeEndpoint = endpointUrl(url, await before.next());
    await answered(before, beforeEndpoint, 1);

    await redis.crash();
    const refusedStream = await openRawStream(url);
    expect(refusedStream.status).toBe(503);
    expect(refusedStream.headers.get("retry-after")).toMatch(/^\d+$/);
    const refusedMessage = await postMessage(beforeEndpoint, listTools(2));
    expect(refusedMessage.status).toBe(503);
    expect(refusedMessage.headers.get("retry-after")).toMatch(/^\d+$/);

    await redis.start();
    // The stream opened before the outage is still there, and its messages are answered again.
    await expect
      .poll(async () => (await postMessage(beforeEndpoint, listTools(3))).status, { timeout: 15_000 })
      .toBe(202);
    expect(JSON.parse((await before.next()).data)).toMatchObject({ id: 3 });
    const after = await openRawStream(url);
    expect(after.status).toBe(200);
    await answered(after, endpointUrl(url, await after.next()), 4);
    before.close();
    after.close();
  }, 30_000);
});
