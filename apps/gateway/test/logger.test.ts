import { once } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, flushLogs, nonBlockingDestination, redactUrl } from "../src/logger.js";

describe("redactUrl", () => {
  it.each([
    ["/mcp/eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0In0.sig", "/mcp/[token]"],
    ["/mcp/abc/extra", "/mcp/[token]/extra"],
    ["/mcp/abc?x=1", "/mcp/[token]?[query]"],
    ["/integrated-account/acc_1/mcp?cursor=abc", "/integrated-account/acc_1/mcp?[query]"],
    [
      "/.well-known/oauth-protected-resource/mcp/eyJ.abc.def",
      "/.well-known/oauth-protected-resource/mcp/[token]",
    ],
    ["/mcp/", "/mcp/"],
    ["/api-tokens/mcpg_at_abcdefghijklmnopqrstuvwxyz_secret", "/api-tokens/[secret]"],
    ["/tenants/eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0In0.c2lnbmF0dXJl", "/tenants/[secret]"],
    [
      "/integrated-account/acc_abcdefghijklmnopqrstuvwxyz/mcp/mcp_abcdefghijklmnopqrstuvwxyz",
      "/integrated-account/acc_abcdefghijklmnopqrstuvwxyz/mcp/mcp_abcdefghijklmnopqrstuvwxyz",
    ],
    ["/mcp/mcp_abcdefghijklmnopqrstuvwxyzextra", "/mcp/[token]"],
    ["/readyz", "/readyz"],
  ])("turns %s into %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

/** A stream that accepts writes but never finishes one until `release()`: a log reader that stopped reading. */
function stalledStream(): { stream: Writable; release(): void } {
  const pending: (() => void)[] = [];
  const stream = new Writable({
    // Small, so every write asks for a 'drain', as stdout's does once its reader falls behind.
    highWaterMark: 16,
    write(_chunk, _encoding, done) {
      pending.push(() => done());
    },
  });
  return {
    stream,
    release() {
      // Each callback lets the stream hand over its next buffered chunk, which lands in `pending` again.
      while (pending.length > 0) pending.shift()?.();
    },
  };
}

const LINE = `${"x".repeat(99)}\n`;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("nonBlockingDestination", () => {
  it("writes the lines of one turn of the event loop in one write, in order", async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const destination = nonBlockingDestination(stream);
    destination.write("one\n");
    destination.write("two\n");
    await nextTurn();
    destination.write("three\n");
    await nextTurn();
    expect(chunks).toEqual(["one\ntwo\n", "three\n"]);
  });

  it("drops lines instead of buffering past its backlog limit while the reader is stalled", async () => {
    const { stream } = stalledStream();
    const destination = nonBlockingDestination(stream, { maxBacklogBytes: 1_000 });
    for (let i = 0; i < 1_000; i += 1) {
      destination.write(LINE);
      if (i % 100 === 0) await nextTurn();
    }
    await nextTurn();
    expect(stream.writableLength).toBeGreaterThanOrEqual(1_000);
    expect(stream.writableLength).toBeLessThan(1_000 + LINE.length);
  });

  it("reports how many lines it dropped once the reader catches up, and writes again", async () => {
    const { stream, release } = stalledStream();
    const reports: number[] = [];
    const destination = nonBlockingDestination(stream, {
      maxBacklogBytes: 1_000,
      onRecovered: (dropped) => reports.push(dropped),
    });
    for (let i = 0; i < 25; i += 1) destination.write(LINE);
    await nextTurn();
    const drained = once(stream, "drain");
    release();
    await drained;
    expect(reports).toEqual([15]);
    destination.write(LINE);
    await nextTurn();
    expect(stream.writableLength).toBe(LINE.length);
  });

  it("stops writing, without throwing, once the output fails", async () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const destination = nonBlockingDestination(stream);
    destination.write(LINE);
    // (events.once would reject on the 'error' that comes first.)
    await new Promise((resolve) => stream.once("close", resolve));
    expect(() => destination.write(LINE)).not.toThrow();
    expect(written).toEqual([LINE]);
  });

  it("never lets a stream that throws reach the caller", () => {
    const stream = new Writable({
      write() {
        throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      },
    });
    const destination = nonBlockingDestination(stream);
    destination.write(LINE);
    // flush hands the waiting line over at once, so a throw would surface here.
    expect(() => destination.flush(() => {})).not.toThrow();
    expect(() => destination.write(LINE)).not.toThrow();
  });

  it("flushes once the reader has taken every waiting line", async () => {
    const { stream, release } = stalledStream();
    const destination = nonBlockingDestination(stream);
    destination.write(LINE);
    destination.write(LINE);
    let flushed = false;
    const done = new Promise<void>((resolve) =>
      destination.flush(() => {
        flushed = true;
        resolve();
      }),
    );
    await Promise.resolve();
    expect(flushed).toBe(false);
    release();
    await done;
    expect(stream.writableLength).toBe(0);
  });
});

describe("flushLogs", () => {
  it("gives up after its bound when the reader never catches up", async () => {
    const { stream } = stalledStream();
    const logger = createLogger("info", nonBlockingDestination(stream));
    logger.info("waiting for a reader that never comes");
    const started = Date.now();
    await flushLogs(logger, 50);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stream.writableLength).toBeGreaterThan(0);
  });
});

describe("error serialization", () => {
  it("logs a Redis reply error's message and stack but never its command arguments", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("info", sink);
    const error = Object.assign(
      new Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
      {
        command: { name: "eval", args: ["script", "1", "key", "sealed-secret-value"] },
      },
    );
    logger.error({ err: error }, "unhandled error");
    const text = lines.join("");
    expect(text).toContain("WRONGTYPE");
    expect(text).not.toContain("sealed-secret-value");
  });
});
