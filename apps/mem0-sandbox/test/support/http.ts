import type { Sandbox } from "../../src/index.js";

/** One HTTP exchange with the sandbox. */
export interface Exchange {
  status: number;
  headers: Headers;
  /** Parsed JSON (typed loosely: tests read arbitrary Mem0 bodies). */
  body: any;
}

/** A tiny client for the sandbox: `Authorization: Token <key>`, JSON in and out. */
export function clientFor(sandbox: Sandbox, apiKey: string = sandbox.apiKeys[0]!) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Exchange> {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Token ${apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // keep the raw text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

export type Call = ReturnType<typeof clientFor>;

/** Adds memories synchronously (infer:false) and returns their ids. */
export async function addVerbatim(
  call: Call,
  texts: string[],
  scope: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  const response = await call("POST", "/v3/memories/add/", {
    messages: texts.map((content) => ({ role: "user", content })),
    infer: false,
    ...scope,
    ...extra,
  });
  if (response.status !== 200)
    throw new Error(`add failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.results.map((r: { id: string }) => r.id);
}

/** Polls an event until it reaches a terminal state (bounded). */
export async function waitForEvent(call: Call, eventId: string, timeoutMs = 5_000): Promise<Exchange> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call("GET", `/v1/event/${eventId}/`);
    if (response.body?.status === "SUCCEEDED" || response.body?.status === "FAILED") return response;
    if (Date.now() > deadline)
      throw new Error(`event ${eventId} still ${response.body?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
