import { isJsonObject } from "@mcp-gateway/core";
import { authHeaders, upstreamUrl } from "./executor.js";
import type { AccountContext, Integration } from "./format.js";
import { sendUpstream } from "./http-client.js";

export type ContextResolution =
  | { ok: true; context: AccountContext }
  | { ok: false; kind: "rejected"; status: number; reason: string }
  | { ok: false; kind: "unreachable"; message: string };

/**
 * Checks an account's credentials and resolves its context (Mem0: GET /v1/ping/ gives org_id and
 * project_id). A 4xx means the upstream refused the key; a 5xx, a timeout or no answer means it could
 * not be asked.
 */
export async function resolveContext(
  integration: Integration,
  credentials: Readonly<Record<string, string>>,
  options: { baseUrl?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ContextResolution> {
  const secret = credentials[integration.auth.credential];
  if (secret === undefined || secret.trim() === "") {
    return {
      ok: false,
      kind: "rejected",
      status: 400,
      reason: `credentials.${integration.auth.credential} is required`,
    };
  }
  const response = await sendUpstream({
    method: "GET",
    url: upstreamUrl(options.baseUrl ?? integration.defaultBaseUrl, integration.context.path),
    headers: authHeaders(integration.auth, credentials),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (!response.ok) return { ok: false, kind: "unreachable", message: response.message };
  const body = parseObject(response.text);
  if (response.status >= 500) {
    return { ok: false, kind: "unreachable", message: `${integration.title} answered ${response.status}` };
  }
  if (response.status >= 400) {
    return {
      ok: false,
      kind: "rejected",
      status: response.status,
      reason: upstreamReason(body, response.status),
    };
  }
  const context: Record<string, string> = {};
  for (const [key, field] of Object.entries(integration.context.fields)) {
    const value = body?.[field];
    if (typeof value !== "string" || value === "") {
      return {
        ok: false,
        kind: "rejected",
        status: response.status,
        reason: `${integration.title} accepted the key but did not say which ${field} it belongs to`,
      };
    }
    context[key] = value;
  }
  return { ok: true, context };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Upstreams name the problem under different keys (DRF: detail; hand-written views: error or message). */
function upstreamReason(body: Record<string, unknown> | undefined, status: number): string {
  for (const key of ["detail", "error", "message"]) {
    const value = body?.[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return `the upstream refused the credentials (HTTP ${status})`;
}
