/**
 * Which requests the gateway answers itself. It must take only what the SDK routes as plain 2025-era
 * traffic: every request it takes is checked against the SDK's own classifier, and everything with a
 * 2026-07-28 envelope, an odd shape or another method is left to the SDK.
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
    expect(directCallOf(v2025, list)).toEqual({ id: 1, method: "tools/list" });
    expect(directCallOf(v2025, call)).toEqual({
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
