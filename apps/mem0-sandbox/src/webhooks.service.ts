import type { Accounts, KeyBinding, WebhookRecord } from "./accounts.js";
import { formatTimestamp } from "./clock.js";
import { type Answer, isObject, ok } from "./context.js";
import type { IdFactory } from "./ids.js";

/** Webhooks (api.md §3.19): `{"error": ...}` for access and lookup, DRF field errors for bad bodies. */

/** The spec's event_types enum. */
export const WEBHOOK_EVENT_TYPES = [
  "memory_add",
  "memory_update",
  "memory_delete",
  "memory_categorize",
  "ingest_job_completed",
  "ingest_job_partially_completed",
  "ingest_job_failed",
  "ingest_job_cancelled",
];

const NO_PROJECT_ACCESS: Answer = { status: 403, body: { error: "You don't have access to this project" } };
const NO_WEBHOOK_ACCESS: Answer = { status: 403, body: { error: "You don't have access to this webhook" } };
const WEBHOOK_NOT_FOUND: Answer = { status: 404, body: { error: "Webhook not found" } };

function webhookJson(accounts: Accounts, hook: WebhookRecord): Record<string, unknown> {
  return {
    webhook_id: hook.webhookId,
    name: hook.name,
    url: hook.url,
    event_types: hook.eventTypes,
    owner: hook.owner,
    is_active: hook.isActive,
    project: accounts.projects.get(hook.projectId)?.name ?? "",
    created_at: formatTimestamp(hook.createdAt),
    updated_at: formatTimestamp(hook.updatedAt),
  };
}

function validUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** DRF serializer errors for a webhook body; `partial` for updates (nothing is required). */
function fieldErrors(body: Record<string, unknown>, partial: boolean): Record<string, string[]> | null {
  const errors: Record<string, string[]> = {};
  const required = (field: string): boolean =>
    !partial && (body[field] === undefined || body[field] === null);
  if (required("name")) errors.name = ["This field is required."];
  else if (body.name !== undefined && (typeof body.name !== "string" || body.name.trim() === ""))
    errors.name = ["This field may not be blank."];
  if (required("url")) errors.url = ["This field is required."];
  else if (body.url !== undefined && !validUrl(body.url)) errors.url = ["Enter a valid URL."];
  if (required("event_types")) errors.event_types = ["This field is required."];
  else if (body.event_types !== undefined) {
    if (!Array.isArray(body.event_types) || body.event_types.length === 0)
      errors.event_types = ["Expected a non-empty list of event types."];
    else {
      const bad = body.event_types.find((t) => !WEBHOOK_EVENT_TYPES.includes(t as string));
      if (bad !== undefined) errors.event_types = [`"${String(bad)}" is not a valid choice.`];
    }
  }
  if (body.is_active !== undefined && typeof body.is_active !== "boolean")
    errors.is_active = ["Must be a valid boolean."];
  return Object.keys(errors).length > 0 ? errors : null;
}

/** GET /api/v1/webhooks/projects/{project_id}/. */
export function listWebhooks(accounts: Accounts, binding: KeyBinding, projectId: string): Answer {
  if (!accounts.projectById(binding, projectId)) return NO_PROJECT_ACCESS;
  const hooks = [...accounts.webhooks.values()].filter((h) => h.projectId === projectId);
  return ok(hooks.map((h) => webhookJson(accounts, h)));
}

/** POST /api/v1/webhooks/projects/{project_id}/. */
export function createWebhook(
  accounts: Accounts,
  ids: IdFactory,
  binding: KeyBinding,
  projectId: string,
  body: unknown,
): Answer {
  if (!accounts.projectById(binding, projectId)) return NO_PROJECT_ACCESS;
  const input = isObject(body) ? body : {};
  const errors = fieldErrors(input, false);
  if (errors) return { status: 400, body: errors };
  const now = accounts.now();
  const hook: WebhookRecord = {
    webhookId: ids.uuid(),
    projectId,
    name: String(input.name).trim(),
    url: String(input.url),
    eventTypes: input.event_types as string[],
    isActive: input.is_active !== false,
    owner: binding.username,
    createdAt: now,
    updatedAt: now,
  };
  accounts.webhooks.set(hook.webhookId, hook);
  return { status: 201, body: webhookJson(accounts, hook) };
}

function findWebhook(
  accounts: Accounts,
  binding: KeyBinding,
  webhookId: string,
): { ok: true; hook: WebhookRecord } | { ok: false; answer: Answer } {
  const hook = accounts.webhooks.get(webhookId);
  if (!hook) return { ok: false, answer: WEBHOOK_NOT_FOUND };
  if (!accounts.projectById(binding, hook.projectId)) return { ok: false, answer: NO_WEBHOOK_ACCESS };
  return { ok: true, hook };
}

/** PUT /api/v1/webhooks/{webhook_id}/. */
export function updateWebhook(
  accounts: Accounts,
  binding: KeyBinding,
  webhookId: string,
  body: unknown,
): Answer {
  const found = findWebhook(accounts, binding, webhookId);
  if (!found.ok) return found.answer;
  const input = isObject(body) ? body : {};
  const errors = fieldErrors(input, true);
  if (errors) return { status: 400, body: errors };
  const hook = found.hook;
  if (input.name !== undefined) hook.name = String(input.name).trim();
  if (input.url !== undefined) hook.url = String(input.url);
  if (input.event_types !== undefined) hook.eventTypes = input.event_types as string[];
  if (input.is_active !== undefined) hook.isActive = input.is_active as boolean;
  hook.updatedAt = accounts.now();
  return ok({ message: "Webhook updated successfully" });
}

/** DELETE /api/v1/webhooks/{webhook_id}/. */
export function deleteWebhook(accounts: Accounts, binding: KeyBinding, webhookId: string): Answer {
  const found = findWebhook(accounts, binding, webhookId);
  if (!found.ok) return found.answer;
  accounts.webhooks.delete(webhookId);
  return ok({ message: "Webhook deleted successfully" });
}
