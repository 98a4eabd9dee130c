/**
 * Which requests the gateway answers itself. In the 2025 era it must take only what the SDK routes as plain
 * 2025-era traffic: every request it takes is checked against the SDK's own classifier. In the 2026-07-28 era
 * it takes only requests whose envelope the SDK accepts and whose routing headers say literally what the body
 * says. Everything else (an odd shape, another method, a header the SDK must decode or refuse) is left to it.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  classifyInboundRequest,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { directCallOf } from "../src/mcp/direct-answers.js";

const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
const call = { jsonrpc: "2.0", id: "c", method: "tools/call", params: { name: "t", arguments: { q: 1 } } };
const v2025 = { "mcp-protocol-version": "2025-11-25" };

function sdkRoute(headers: Record<string, string>, body: unknown) {
  const version = headers["mcp-protocol-version"];
  return classifyInboundRequest({
    httpMethod: "POST",
    ...(version === undefined ? {} : { protocolVersionHeader: version }),
    body,
  });
}

describe("directCallOf", () => {
  const taken: [string, Record<string, string>, unknown][] = [
    ["tools/list", v2025, list],
    ["tools/list without a version header", {}, list],
    ["tools/list on 2025-06-18", { "mcp-protocol-version": "2025-06-18" }, list],
    ["tools/list with empty params", v2025, { ...list, params: {} }],
    [
      "tools/list with a cursor and a progress token",
      v2025,
      { ...list, params: { cursor: "x", _meta: { progressToken: 3 } } },
    ],
    ["tools/call", v2025, call],
    ["tools/call without arguments", v2025, { ...call, params: { name: "t" } }],
    ["tools/call with _meta", v2025, { ...call, params: { ...call.params, _meta: { progressToken: "p" } } }],
  ];
  it.each(taken)("takes %s, which the SDK routes as plain 2025-era traffic", (_label, headers, body) => {
    expect(directCallOf(headers, body)).toBeDefined();
    expect(sdkRoute(headers, body)).toMatchObject({ kind: "legacy", reason: "no-claim" });
  });

  it("returns what it took: the id, the method, the tool and its arguments", () => {
    expect(directCallOf(v2025, list)).toEqual({ era: "legacy", id: 1, method: "tools/list" });
    expect(directCallOf(v2025, call)).toEqual({
      era: "legacy",
      id: "c",
      method: "tools/call",
      name: "t",
      arguments: { q: 1 },
    });
  });

  const envelope = {
    [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
    [CLIENT_CAPABILITIES_META_KEY]: {},
  };
  const left: [string, Record<string, string>, unknown][] = [
    ["a 2026-07-28 envelope on tools/list", {}, { ...list, params: { _meta: envelope } }],
    ["a 2026-07-28 envelope on tools/call", v2025, { ...call, params: { ...call.params, _meta: envelope } }],
    [
      "any io.modelcontextprotocol/ key in _meta",
      v2025,
      { ...list, params: { _meta: { "io.modelcontextprotocol/x": 1 } } },
    ],
    ["a _meta that is not an object", v2025, { ...list, params: { _meta: [1] } }],
    [
      "a boolean progress token",
      v2025,
      { ...call, params: { ...call.params, _meta: { progressToken: true } } },
    ],
    ["a null progress token", v2025, { ...list, params: { _meta: { progressToken: null } } }],
    ["a fractional progress token", v2025, { ...list, params: { _meta: { progressToken: 1.5 } } }],
    [
      "an object progress token",
      v2025,
      { ...call, params: { ...call.params, _meta: { progressToken: {} } } },
    ],
    ["an unsafe integer progress token", v2025, { ...list, params: { _meta: { progressToken: 2 ** 60 } } }],
    ["the 2026-07-28 version header", { "mcp-protocol-version": "2026-07-28" }, list],
    ["an unknown version header", { "mcp-protocol-version": "1999-01-01" }, list],
    ["an Mcp-Method header", { ...v2025, "mcp-method": "tools/list" }, list],
    ["an Mcp-Name header", { ...v2025, "mcp-name": "t" }, call],
    ["another method", v2025, { ...list, method: "ping" }],
    ["initialize", v2025, { ...list, method: "initialize", params: {} }],
    ["a notification", v2025, { jsonrpc: "2.0", method: "tools/list" }],
    ["a fractional id", v2025, { ...list, id: 1.5 }],
    ["a null id", v2025, { ...list, id: null }],
    ["a wrong jsonrpc version", v2025, { ...list, jsonrpc: "1.0" }],
    ["an unknown request field", v2025, { ...list, extra: 1 }],
    ["a batch", v2025, [list]],
    ["params that are not an object", v2025, { ...list, params: [] }],
    ["an unknown tools/list param", v2025, { ...list, params: { filter: "x" } }],
    ["a cursor that is not a string", v2025, { ...list, params: { cursor: 1 } }],
    ["tools/call without params", v2025, { ...call, params: undefined }],
    ["tools/call without a name", v2025, { ...call, params: { arguments: {} } }],
    ["tools/call with a task", v2025, { ...call, params: { ...call.params, task: {} } }],
    ["array arguments", v2025, { ...call, params: { name: "t", arguments: [1] } }],
    ["null arguments", v2025, { ...call, params: { name: "t", arguments: null } }],
  ];
  it.each(left)("leaves %s to the SDK", (_label, headers, body) => {
    expect(directCallOf(headers, body)).toBeUndefined();
  });

  it("never takes a request the SDK's classifier does not route as plain 2025-era traffic", () => {
    const metas: unknown[] = [
      undefined,
      {},
      { progressToken: "p" },
      { progressToken: 7 },
      { progressToken: -1 },
      { progressToken: true },
      { progressToken: null },
      { progressToken: 0.5 },
      { progressToken: 2 ** 53 },
      { progressToken: [] },
      { other: { nested: 1 } },
      { [PROTOCOL_VERSION_META_KEY]: "2025-11-25" },
      { [CLIENT_CAPABILITIES_META_KEY]: {} },
      envelope,
      "text",
      null,
      [],
    ];
    const versions = [undefined, "2025-11-25", "2025-03-26", "2024-11-05", "2026-07-28", "bogus"];
    let taken = 0;
    for (const _meta of metas) {
      for (const version of versions) {
        const headers: Record<string, string> =
          version === undefined ? {} : { "mcp-protocol-version": version };
        for (const base of [list, call]) {
          const params = base === list ? { _meta } : { ...call.params, _meta };
          const body = {
            ...base,
            params: _meta === undefined ? (base === list ? undefined : call.params) : params,
          };
          if (directCallOf(headers, body) === undefined) continue;
          taken++;
          expect(sdkRoute(headers, body), JSON.stringify({ headers, body })).toMatchObject({
            kind: "legacy",
            reason: "no-claim",
          });
        }
      }
    }
    expect(taken).toBeGreaterThan(0);
  });
});

describe("directCallOf, 2026-07-28 era", () => {
  const envelope = {
    [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
    [CLIENT_CAPABILITIES_META_KEY]: { elicitation: {} },
  };
  const modernHeaders = (method: string, name?: string): Record<string, string> => ({
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...(name === undefined ? {} : { "mcp-name": name }),
  });
  const request = (method: string, params: Record<string, unknown> = {}, id: unknown = 5) => ({
    jsonrpc: "2.0",
    id,
    method,
    params: { ...params, _meta: envelope },
  });

  it("takes tools/list, server/discover and tools/call with agreeing headers", () => {
    expect(directCallOf(modernHeaders("tools/list"), request("tools/list", { cursor: "c" }))).toEqual({
      era: "modern",
      id: 5,
      method: "tools/list",
    });
    expect(directCallOf(modernHeaders("server/discover"), request("server/discover", {}, "d"))).toEqual({
      era: "modern",
      id: "d",
      method: "server/discover",
    });
    expect(
      directCallOf(
        modernHeaders("tools/call", "t"),
        request("tools/call", { name: "t", arguments: { q: 1 } }),
      ),
    ).toEqual({ era: "modern", id: 5, method: "tools/call", name: "t", arguments: { q: 1 } });
  });

  const left: [string, Record<string, string>, unknown][] = [
    ["no Mcp-Method header", { "mcp-protocol-version": "2026-07-28" }, request("tools/list")],
    ["an Mcp-Method header for another method", modernHeaders("tools/call"), request("tools/list")],
    ["an Mcp-Method header with padding", modernHeaders(" tools/list"), request("tools/list")],
    ["no Mcp-Name header on tools/call", modernHeaders("tools/call"), request("tools/call", { name: "t" })],
    [
      "an Mcp-Name header for another tool",
      modernHeaders("tools/call", "u"),
      request("tools/call", { name: "t" }),
    ],
    [
      "a Base64 Mcp-Name header",
      modernHeaders("tools/call", "=?base64?dA==?="),
      request("tools/call", { name: "t" }),
    ],
    [
      "a tool name that looks encoded",
      modernHeaders("tools/call", "=?base64?dA==?="),
      request("tools/call", { name: "=?base64?dA==?=" }),
    ],
    [
      "an envelope without client capabilities",
      modernHeaders("tools/list"),
      { ...request("tools/list"), params: { _meta: { [PROTOCOL_VERSION_META_KEY]: "2026-07-28" } } },
    ],
    [
      "client capabilities of the wrong type",
      modernHeaders("tools/list"),
      { ...request("tools/list"), params: { _meta: { ...envelope, [CLIENT_CAPABILITIES_META_KEY]: 1 } } },
    ],
    [
      "an envelope naming another revision",
      modernHeaders("tools/list"),
      {
        ...request("tools/list"),
        params: { _meta: { ...envelope, [PROTOCOL_VERSION_META_KEY]: "2025-11-25" } },
      },
    ],
    ["no params", modernHeaders("tools/list"), { jsonrpc: "2.0", id: 1, method: "tools/list" }],
    ["an unknown param", modernHeaders("tools/list"), request("tools/list", { filter: 1 })],
    ["a cursor that is not a string", modernHeaders("tools/list"), request("tools/list", { cursor: 2 })],
    ["discover with params", modernHeaders("server/discover"), request("server/discover", { x: 1 })],
    [
      "array arguments",
      modernHeaders("tools/call", "t"),
      request("tools/call", { name: "t", arguments: [] }),
    ],
    ["a null id", modernHeaders("tools/list"), request("tools/list", {}, null)],
    ["a notification", modernHeaders("tools/list"), { ...request("tools/list"), id: undefined }],
    ["another method", modernHeaders("ping"), request("ping")],
    ["a batch", modernHeaders("tools/list"), [request("tools/list")]],
  ];
  it.each(left)("leaves %s to the SDK", (_label, headers, body) => {
    expect(directCallOf(headers, body)).toBeUndefined();
  });
});
