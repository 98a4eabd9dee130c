import { isJsonObject, LIMITS } from "@mcp-gateway/core";
import { type ExecutionResult, rateLimitHeaders, type Tool } from "@mcp-gateway/integrations";
import type { ToolCallOutcome } from "./tool-call-record.js";

/** An MCP CallToolResult as this gateway builds it: JSON text for models, structuredContent for programs. */
export interface ToolResult {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A finished tool call, ready to answer: the MCP result, headers for the HTTP response, facts to log. */
export interface ToolResultView {
  readonly result: ToolResult;
  readonly httpHeaders: Readonly<Record<string, string>>;
  readonly outcome: Exclude<ToolCallOutcome, "unknown_tool">;
  readonly upstreamStatus?: number;
  readonly truncated: boolean;
}

// Room kept under the limit for the note that explains a cut.
const NOTE_RESERVE_CHARS = 600;

/** Turns an execution result into the MCP answer, cutting anything over `maxChars` with a note on paging. */
export function toolResultView(
  tool: Tool,
  execution: ExecutionResult,
  maxChars: number = LIMITS.toolResultChars,
): ToolResultView {
  if (execution.ok) {
    const fitted = fitJson(execution.data, maxChars, pagingHint(tool));
    if (fitted.structured === undefined && tool.outputSchema !== undefined) {
      // A tool with an outputSchema must send structuredContent with every success (MCP 2025-06-18), and
      // what is left of this answer has no structure: say so as an error rather than break the client.
      return {
        result: errorResult(
          `The ${tool.integration} API answered, but the result is too large to return (${fitted.fullLength} characters; the limit is ${maxChars}) and cannot be shortened into valid JSON. ${pagingHint(tool)}`,
          { error: "result_too_large", characters: fitted.fullLength, limit: maxChars },
        ),
        httpHeaders: rateLimitHeaders(execution.rateLimit),
        outcome: "ok",
        upstreamStatus: execution.status,
        truncated: true,
      };
    }
    const result: ToolResult = { content: [{ type: "text", text: fitted.text }] };
    if (fitted.structured !== undefined) result.structuredContent = fitted.structured;
    return {
      result,
      httpHeaders: rateLimitHeaders(execution.rateLimit),
      outcome: "ok",
      upstreamStatus: execution.status,
      truncated: fitted.truncated,
    };
  }
  if (execution.kind === "upstream") {
    const retryAfter = execution.retryAfterSeconds;
    const headers = { ...rateLimitHeaders(execution.rateLimit) };
    // Retry-After belongs on the HTTP answer only when the upstream refused for rate (429).
    if (execution.status !== 429) delete headers["retry-after"];
    const summary = upstreamSummary(tool.integration, execution.status, retryAfter);
    const body = fitJson(execution.body, maxChars - summary.length - 1, "");
    const structured: Record<string, unknown> = {
      error: "upstream",
      status: execution.status,
      ...(retryAfter !== undefined ? { retry_after_seconds: retryAfter } : {}),
      body: body.truncated ? body.text : execution.body,
    };
    return {
      result: errorResult(`${summary}\n${body.text}`, structured),
      httpHeaders: headers,
      outcome: "upstream",
      upstreamStatus: execution.status,
      truncated: body.truncated,
    };
  }
  const hint =
    execution.kind === "invalid_arguments"
      ? " Fix the arguments and call again; nothing was sent upstream."
      : "";
  return {
    result: errorResult(`${execution.message}${hint}`, { error: execution.kind, message: execution.message }),
    httpHeaders: {},
    outcome: execution.kind,
    truncated: false,
  };
}

/** A tool-level error the model can read and act on (MCP: execution errors are results, not protocol errors). */
export function errorResult(text: string, structured?: Record<string, unknown>): ToolResult {
  return {
    content: [{ type: "text", text }],
    ...(structured !== undefined ? { structuredContent: structured } : {}),
    isError: true,
  };
}

/** A successful result for data the gateway itself produced (discovery answers). */
export function jsonResult(data: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

function upstreamSummary(integration: string, status: number, retryAfter: number | undefined): string {
  if (status === 429) {
    const when = retryAfter !== undefined ? `retry after ${retryAfter} seconds` : "retry later";
    return `The ${integration} API refused the call with HTTP 429 (rate limited): ${when}. Its answer:`;
  }
  return `The ${integration} API answered HTTP ${status}. Its answer:`;
}

interface Fitted {
  readonly text: string;
  readonly structured?: Record<string, unknown>;
  readonly truncated: boolean;
  readonly fullLength: number;
}

/**
 * Serializes data within `maxChars`, keeping it valid JSON of the same shape where it can: a list (an array,
 * or the longest array field of an object) is cut by whole items; failing that, long strings are shortened.
 * Only what neither can fit is cut as text, and loses its structure.
 */
function fitJson(data: unknown, maxChars: number, hint: string): Fitted {
  const full = JSON.stringify(data) ?? "null";
  const fullLength = full.length;
  if (fullLength <= maxChars) return { text: full, structured: asObject(data), truncated: false, fullLength };
  const budget = Math.max(0, maxChars - NOTE_RESERVE_CHARS);
  const list = findList(data);
  if (list !== undefined) {
    const kept = largestPrefix(list.total, (count) => JSON.stringify(list.keep(count)).length <= budget);
    if (kept > 0) {
      const trimmed = list.keep(kept);
      const note = `[Result cut: ${kept} of ${list.total} ${list.label} shown; the full result has ${fullLength} characters and the limit is ${maxChars}. ${hint}]`;
      return {
        text: `${JSON.stringify(trimmed)}\n\n${note}`,
        structured: asObject(trimmed),
        truncated: true,
        fullLength,
      };
    }
  }
  const shortened = shortenStrings(data, budget);
  if (shortened !== undefined) {
    const note = `[Result cut: text values longer than ${shortened.cap} characters were shortened, each ending in "${CUT_MARK}"; the full result has ${fullLength} characters and the limit is ${maxChars}. ${hint}]`;
    return {
      text: `${JSON.stringify(shortened.data)}\n\n${note}`,
      structured: asObject(shortened.data),
      truncated: true,
      fullLength,
    };
  }
  const note = `[Result cut at ${budget} of ${fullLength} characters, so the JSON above is incomplete. ${hint}]`;
  return { text: `${full.slice(0, budget)}\n\n${note}`, truncated: true, fullLength };
}

const CUT_MARK = "…";
// Ids, dates and enum values are shorter than this, so shortening never touches them.
const SHORTEST_CUT_STRING = 200;

/** The data with every string over `cap` characters cut to `cap`, for the largest cap that fits the budget. */
function shortenStrings(data: unknown, budget: number): { data: unknown; cap: number } | undefined {
  let longest = 0;
  visitStrings(data, (text) => {
    longest = Math.max(longest, text.length);
  });
  if (longest <= SHORTEST_CUT_STRING) return undefined;
  const capAt = (cap: number): unknown =>
    mapStrings(data, (text) => (text.length > cap ? `${text.slice(0, cap)}${CUT_MARK}` : text));
  const fits = (extra: number): boolean =>
    JSON.stringify(capAt(SHORTEST_CUT_STRING + extra)).length <= budget;
  if (!fits(0)) return undefined;
  // No string longer than the whole budget can fit, which bounds the search.
  const cap = SHORTEST_CUT_STRING + largestPrefix(Math.min(longest, budget) - SHORTEST_CUT_STRING, fits);
  return { data: capAt(cap), cap };
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) visitStrings(item, visit);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
}

interface ListView {
  readonly total: number;
  readonly label: string;
  keep(count: number): unknown;
}

function findList(data: unknown): ListView | undefined {
  if (Array.isArray(data)) return { total: data.length, label: "items", keep: (n) => data.slice(0, n) };
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const arrays = Object.entries(record).filter((entry): entry is [string, unknown[]] =>
    Array.isArray(entry[1]),
  );
  // Paginated envelopes ({count, next, results}) name their list "results"; otherwise take the longest.
  const chosen =
    arrays.find(([key]) => key === "results") ?? arrays.sort((a, b) => b[1].length - a[1].length)[0];
  if (chosen === undefined) return undefined;
  const [key, items] = chosen;
  return {
    total: items.length,
    label: `"${key}" items`,
    keep: (n) => ({ ...record, [key]: items.slice(0, n) }),
  };
}

/** The largest n in [0, total] for which `fits(n)` holds, assuming fits is monotone (binary search). */
function largestPrefix(total: number, fits: (count: number) => boolean): number {
  let low = 0;
  let high = total;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** structuredContent must be an object: arrays and scalars are wrapped as {result: ...}. */
function asObject(data: unknown): Record<string, unknown> {
  return isJsonObject(data) ? data : { result: data };
}

/** How this tool can ask for less, from the arguments its schema offers. */
function pagingHint(tool: Tool): string {
  const properties = Object.keys(tool.inputSchema.properties);
  const has = (name: string): boolean => properties.includes(name);
  const parts: string[] = [];
  if (has("page_size")) parts.push("Ask for smaller pages with page_size and fetch the rest with page.");
  else if (has("page")) parts.push("Fetch the rest with page.");
  const limit = ["limit", "top_k"].find(has);
  if (limit !== undefined) parts.push(`Ask for fewer results with ${limit}.`);
  if (has("fields")) parts.push("Request only the fields you need with fields.");
  if (parts.length === 0) parts.push("Narrow the request (for example with filters) to see the rest.");
  return parts.join(" ");
}
