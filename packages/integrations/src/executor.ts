import { LIMITS } from "@mcp-gateway/core";
import { checkArguments, splitArguments } from "./arguments.js";
import type { AccountContext, AuthScheme } from "./format.js";
import { sendUpstream, type UpstreamResponse } from "./http-client.js";
import { normalizeRateLimit, type RateLimitInfo } from "./rate-limit.js";
import type { Tool } from "./tool-builder.js";
import { pathFitsTemplate } from "./upstream-path.js";

/** The account a call runs as: its credentials and the context resolved when it was connected. */
export interface ExecutionAccount {
  readonly credentials: Readonly<Record<string, string>>;
  readonly context: AccountContext;
}

export interface ExecutionOptions {
  /** The upstream base URL (the gateway's MEM0_BASE_URL); defaults to the integration's public API. */
  readonly baseUrl?: string;
  readonly signal?: AbortSignal;
  /** Per upstream call; defaults to LIMITS.upstreamTimeoutMs. */
  readonly timeoutMs?: number;
  /** Defaults to LIMITS.upstreamResponseBytes. */
  readonly maxResponseBytes?: number;
  /** How often a polling tool re-reads; defaults to LIMITS.eventPollIntervalMs. */
  readonly pollIntervalMs?: number;
}

export type ExecutionResult =
  | { ok: true; status: number; data: unknown; rateLimit: RateLimitInfo | null }
  | { ok: false; kind: "invalid_arguments"; message: string }
  | {
      ok: false;
      kind: "upstream";
      status: number;
      body: unknown;
      rateLimit: RateLimitInfo | null;
      retryAfterSeconds?: number;
    }
  | { ok: false; kind: "timeout" | "unreachable" | "too_large"; message: string };

/**
 * Runs one tool: validates the arguments (refusing before any upstream call), splits them into path,
 * query and body, calls the upstream once, and types the outcome. A polling tool given a wait re-reads
 * until a terminal status, the wait runs out, or any failure (which stops it at once).
 */
export async function executeTool(
  tool: Tool,
  args: unknown,
  account: ExecutionAccount,
  options: ExecutionOptions = {},
): Promise<ExecutionResult> {
  const checked = checkArguments(tool, args);
  if (!checked.ok) return { ok: false, kind: "invalid_arguments", message: checked.message };
  const once = (): Promise<ExecutionResult> => callOnce(tool, checked.args, account, options);
  const polling = tool.polling;
  const waitSeconds = polling === undefined ? 0 : Number(checked.args[polling.argument] ?? 0);
  if (polling === undefined || waitSeconds <= 0) return once();

  const deadline = Date.now() + Math.min(waitSeconds, LIMITS.eventWaitSecondsMax) * 1000;
  const interval = options.pollIntervalMs ?? LIMITS.eventPollIntervalMs;
  for (;;) {
    const result = await once();
    if (!result.ok || isTerminal(result.data, polling.statusField, polling.terminalStatuses)) return result;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || options.signal?.aborted === true) return result;
    await pause(Math.min(interval, remaining), options.signal);
  }
}

/** Builds the upstream URL for a base and a path, keeping any path prefix the base carries. */
export function upstreamUrl(
  baseUrl: string,
  path: string,
  query: readonly (readonly [string, string])[] = [],
): URL {
  const base = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl;
  const url = new URL(base + path);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url;
}

/** The path of `url` below the base URL's own path prefix ("" when it is not below it at all). */
function pathBelowBase(baseUrl: string, url: URL): string {
  const prefix = new URL(baseUrl).pathname.replace(/\/$/, "");
  return url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : "";
}

/** The Authorization-style header an account's credentials produce. */
export function authHeaders(
  auth: AuthScheme,
  credentials: Readonly<Record<string, string>>,
): Record<string, string> {
  const secret = credentials[auth.credential];
  if (secret === undefined || secret === "")
    throw new Error(`credentials lack the "${auth.credential}" field`);
  return { [auth.header.toLowerCase()]: `${auth.prefix}${secret}` };
}

async function callOnce(
  tool: Tool,
  args: Record<string, unknown>,
  account: ExecutionAccount,
  options: ExecutionOptions,
): Promise<ExecutionResult> {
  const parts = splitArguments(tool.http, args, account.context);
  const baseUrl = options.baseUrl ?? tool.upstream.defaultBaseUrl;
  const url = upstreamUrl(baseUrl, parts.path, parts.query);
  if (!pathFitsTemplate(tool.http.path, pathBelowBase(baseUrl, url))) {
    // The arguments were checked already; this also covers values from the account context.
    return {
      ok: false,
      kind: "invalid_arguments",
      message: `Invalid arguments for ${tool.name}: a path parameter is not one literal id, so the call would leave ${tool.http.path}`,
    };
  }
  const response = await sendUpstream({
    method: tool.http.verb,
    url,
    // Header arguments first, so the credential header can never be overridden by one.
    headers: { ...parts.headers, ...authHeaders(tool.upstream.auth, account.credentials) },
    body: parts.body,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxBytes: options.maxResponseBytes } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  return typeResponse(response);
}

/** Turns a raw upstream answer into the typed result: 2xx is data, anything else an upstream error. */
export function typeResponse(response: UpstreamResponse): ExecutionResult {
  if (!response.ok) return response;
  const rateLimit = normalizeRateLimit(response.headers);
  const body = parseBody(response.text);
  if (response.status >= 200 && response.status < 300) {
    return { ok: true, status: response.status, data: body, rateLimit };
  }
  return {
    ok: false,
    kind: "upstream",
    status: response.status,
    body,
    rateLimit,
    ...(rateLimit?.retryAfterSeconds !== undefined ? { retryAfterSeconds: rateLimit.retryAfterSeconds } : {}),
  };
}

/** JSON when it parses, the text otherwise, null for an empty body (e.g. a 204). */
function parseBody(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isTerminal(data: unknown, field: string, terminal: readonly string[]): boolean {
  if (typeof data !== "object" || data === null) return true; // nothing to wait on
  const status = (data as Record<string, unknown>)[field];
  return typeof status !== "string" || terminal.includes(status);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
