import { LIMITS } from "@mcp-gateway/core";
import { Agent, errors, request } from "undici";
import { startDeadline } from "./deadline.js";
import type { HttpVerb } from "./format.js";
import type { HeaderBag } from "./rate-limit.js";

/** One pooled keep-alive dispatcher per process: upstream connections are reused across calls. */
const sharedAgent = new Agent({
  keepAliveTimeout: LIMITS.upstreamKeepAliveMs,
  connections: LIMITS.upstreamConnectionsPerOrigin,
});

export interface UpstreamRequest {
  readonly method: HttpVerb;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Serialized as JSON when defined. */
  readonly body?: unknown;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
}

export type UpstreamResponse =
  | { ok: true; status: number; headers: HeaderBag; text: string }
  | { ok: false; kind: "timeout" | "unreachable" | "too_large"; message: string };

/**
 * Performs one upstream call: no retries (a retried write could apply twice), a deadline covering
 * connect to last byte, and a cap on the body so a huge answer is refused instead of buffered.
 */
export async function sendUpstream(call: UpstreamRequest): Promise<UpstreamResponse> {
  const timeoutMs = call.timeoutMs ?? LIMITS.upstreamTimeoutMs;
  const maxBytes = call.maxBytes ?? LIMITS.upstreamResponseBytes;
  const deadline = startDeadline(timeoutMs, call.signal);
  const headers: Record<string, string> = { accept: "application/json", ...call.headers };
  let payload: string | undefined;
  if (call.body !== undefined) {
    payload = JSON.stringify(call.body);
    headers["content-type"] = "application/json";
  }
  try {
    const response = await request(call.url, {
      method: call.method,
      headers,
      body: payload,
      signal: deadline.signal,
      dispatcher: sharedAgent,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        return { ok: false, kind: "too_large", message: `upstream response exceeded ${maxBytes} bytes` };
      }
      chunks.push(chunk);
    }
    return {
      ok: true,
      status: response.statusCode,
      headers: response.headers as HeaderBag,
      text: Buffer.concat(chunks).toString("utf8"),
    };
  } catch (error) {
    if (deadline.expired()) {
      return { ok: false, kind: "timeout", message: `upstream did not answer within ${timeoutMs} ms` };
    }
    if (call.signal?.aborted === true) {
      return { ok: false, kind: "timeout", message: "the call was cancelled before the upstream answered" };
    }
    const reason =
      error instanceof errors.UndiciError || error instanceof Error ? error.message : String(error);
    return { ok: false, kind: "unreachable", message: `could not reach ${call.url.origin}: ${reason}` };
  } finally {
    deadline.release();
  }
}
