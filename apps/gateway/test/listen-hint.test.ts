import { describe, expect, it } from "vitest";
import { listenFailureHint } from "../src/listen-hint.js";

describe("start-up failure hints", () => {
  it("names PORT when the address is taken", () => {
    const error = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:8080"), {
      code: "EADDRINUSE",
    });
    expect(listenFailureHint(error)).toMatch(/PORT=8081/);
  });

  it("adds nothing to other errors", () => {
    expect(listenFailureHint(new Error("boom"))).toBeUndefined();
    expect(listenFailureHint(undefined)).toBeUndefined();
  });
});
