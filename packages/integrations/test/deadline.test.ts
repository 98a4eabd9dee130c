/** The upstream deadline: aborts on time or with its outer signal, and leaves nothing pending once released. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startDeadline } from "../src/deadline.js";

describe("startDeadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts with a TimeoutError once its time runs out, not a millisecond before", () => {
    const deadline = startDeadline(1_000);
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired()).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("aborts with the outer signal's reason when that aborts first, without counting as expired", () => {
    const outer = new AbortController();
    const deadline = startDeadline(1_000, outer.signal);
    outer.abort(new Error("client gone"));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired()).toBe(false);
    expect((deadline.signal.reason as Error).message).toBe("client gone");
  });

  it("starts aborted under an outer signal that already aborted", () => {
    const outer = new AbortController();
    outer.abort();
    expect(startDeadline(1_000, outer.signal).signal.aborted).toBe(true);
  });

  it("once released, leaves no timer pending and no longer follows the outer signal", () => {
    const outer = new AbortController();
    const deadline = startDeadline(1_000, outer.signal);
    const pending = vi.getTimerCount();
    deadline.release();
    expect(vi.getTimerCount()).toBe(pending - 1);
    outer.abort();
    vi.advanceTimersByTime(5_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
