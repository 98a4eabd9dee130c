import { describe, expect, it } from "vitest";
import {
  ID_PREFIXES,
  type IdKind,
  isAccountId,
  isApiTokenId,
  isId,
  isMcpServerId,
  isTenantId,
  newAccountId,
  newApiTokenId,
  newId,
  newMcpServerId,
  newTenantId,
} from "../src/ids.js";

const kinds = Object.keys(ID_PREFIXES) as IdKind[];

describe("record ids", () => {
  it("carry a prefix naming their kind and 26 URL-safe random characters", () => {
    expect(newTenantId()).toMatch(/^ten_[a-z2-7]{26}$/);
    expect(newAccountId()).toMatch(/^acc_[a-z2-7]{26}$/);
    expect(newMcpServerId()).toMatch(/^mcp_[a-z2-7]{26}$/);
    expect(newApiTokenId()).toMatch(/^tok_[a-z2-7]{26}$/);
    expect(encodeURIComponent(newMcpServerId())).toMatch(/^mcp_/);
  });

  it("do not repeat", () => {
    const ids = new Set(Array.from({ length: 2_000 }, () => newAccountId()));
    expect(ids.size).toBe(2_000);
  });

  it("use the whole base32 alphabet in the random part", () => {
    const seen = new Set(Array.from({ length: 200 }, () => newTenantId().slice(4)).join(""));
    expect(seen.size).toBe(32);
  });

  it("validate only their own kind, so an account id in a server path is refused before any lookup", () => {
    for (const kind of kinds) {
      const id = newId(kind);
      for (const other of kinds) expect(isId(other, id)).toBe(other === kind);
    }
    expect(isMcpServerId(newAccountId())).toBe(false);
    expect(isTenantId(newTenantId())).toBe(true);
    expect(isAccountId(newAccountId())).toBe(true);
    expect(isApiTokenId(newApiTokenId())).toBe(true);
  });

  it.each([
    ["an empty string", ""],
    ["a UUID", "9b2f6c1e-8d0a-4f51-9a77-3c1d2e4f5a6b"],
    ["upper case", `acc_${"A".repeat(26)}`],
    ["a character outside base32", `acc_${"a".repeat(25)}1`],
    ["one character short", `acc_${"a".repeat(25)}`],
    ["one character long", `acc_${"a".repeat(27)}`],
    ["a path-traversal attempt", "acc_../../etc/passwd"],
    ["trailing whitespace", `${newAccountId()} `],
    ["a number", 42],
    ["undefined", undefined],
  ])("refuse %s", (_label, value) => {
    expect(isAccountId(value)).toBe(false);
  });
});
