import { describe, expect, it } from "vitest";
import { isLoopbackUrl } from "../src/webhook-delivery.js";

describe("webhook reach", () => {
  it("counts 127.0.0.0/8, ::1 and localhost as this machine", () => {
    for (const url of [
      "http://127.0.0.1:9/h",
      "http://127.8.9.10/",
      "http://[::1]:80/x",
      "https://localhost/hook",
    ]) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
  });

  it("counts public, private and look-alike hosts as elsewhere, and unparsable URLs too", () => {
    for (const url of [
      "https://example.com/hooks/mem0",
      "http://10.0.0.1/",
      "http://192.168.1.1/",
      "http://127.0.0.1.example.com/",
      "http://localhost.example/",
      "http://[::ffff:7f00:1]/",
      "not a url",
    ]) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });
});
