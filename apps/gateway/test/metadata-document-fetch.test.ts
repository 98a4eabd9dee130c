import { describe, expect, it } from "vitest";
import { isPublicAddress } from "../src/oauth/metadata-document-fetch.js";

// The address rule behind Client ID Metadata Document fetches (SSRF): only ordinary unicast addresses.
describe("isPublicAddress", () => {
  it("refuses loopback, private, link-local, metadata, CGNAT, unique-local and mapped loopback addresses", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "::ffff:0:0",
      // IPv4-compatible (::/96, deprecated) addresses, which ipaddr.js ranks as unicast.
      "::7f00:1",
      "::a00:1",
      "::808:808",
      "::127.0.0.1",
      "not an address",
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it("allows public unicast addresses", () => {
    for (const address of ["8.8.8.8", "104.18.1.1", "2606:4700::6810:1", "::ffff:8.8.8.8"]) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});
