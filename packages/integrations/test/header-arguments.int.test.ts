import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecutionAccount, executeTool, findTool, mem0, type Tool } from "../src/index.js";

// An upstream that records what it receives, so "sent as a header" and "never sent" are both observed.
let upstream: Server;
let baseUrl: string;
const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, body });
      res.writeHead(202, { "content-type": "application/json" }).end('{"job_id":"pjob_1","status":"QUEUED"}');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const account: ExecutionAccount = {
  credentials: { api_key: "m0-secret" },
  context: { org_id: "org_1", project_id: "proj_1" },
};

function job(): Tool {
  const found = findTool(mem0, "create_a_mem_0_profile_job");
  if (found === undefined) throw new Error("no profile job tool");
  return found;
}

describe("header arguments on the wire", () => {
  it("sends the argument as its header, keeps it out of the body, and keeps the account's credential", async () => {
    received.length = 0;
    const result = await executeTool(
      job(),
      { idempotency_key: "wire-key-0001", operation: "sample", entity_type: "user", limit: 2 },
      account,
      { baseUrl },
    );
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.url).toBe("/v2/profiles/jobs/");
    expect(request?.headers["idempotency-key"]).toBe("wire-key-0001");
    expect(request?.headers.authorization).toBe("Token m0-secret");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({ operation: "sample", entity_type: "user", limit: 2 });
  });

  it("never calls the upstream with a value that could split or smuggle a header", async () => {
    received.length = 0;
    for (const value of [
      "wire-key\r\nAuthorization: Token stolen",
      "wire key 0002",
      "wire-kéy-0003",
      "short",
    ]) {
      const result = await executeTool(
        job(),
        { idempotency_key: value, operation: "sample", entity_type: "user" },
        account,
        { baseUrl },
      );
      expect(result, JSON.stringify(value)).toMatchObject({ ok: false, kind: "invalid_arguments" });
    }
    expect(received).toEqual([]);
  });
});
