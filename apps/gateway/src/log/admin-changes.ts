import type { AdminChangeRecord, FieldChange, RequestOrigin } from "@mcp-gateway/core";
import type { LogWriter } from "./log-writer.js";

/** What recording an admin change needs (a ServiceContext has it). */
export interface AuditContext {
  readonly logs: LogWriter;
  readonly origin?: RequestOrigin;
}

/** Changes made with no request behind them (the demo's seeding, in-process tools). */
export const INTERNAL_ORIGIN: RequestOrigin = Object.freeze({
  actor: Object.freeze({ type: "system" as const }),
  via: "internal" as const,
  request_id: null,
  client_ip: null,
});

/** One admin change, as a service describes it; its origin is added here and its time by the writer. */
export type AdminChange = Omit<AdminChangeRecord, "origin" | "changes"> & {
  changes?: Record<string, FieldChange> | null;
  /** Only in the operator's trail (a deleted tenant's own streams are gone with it). */
  operatorOnly?: boolean;
};

/** Records an admin change for its tenant and the operator; never fails or delays the change itself. */
export function recordAdminChange(ctx: AuditContext, change: AdminChange): void {
  const { operatorOnly, ...record } = change;
  ctx.logs.recordAdminChange(
    { ...record, changes: change.changes ?? null, origin: ctx.origin ?? INTERNAL_ORIGIN },
    { operatorOnly: operatorOnly ?? false },
  );
}

/** The fields that differ between two views of a record, as `{field: {from, to}}`, or null when none do. */
export function fieldChanges(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): Record<string, FieldChange> | null {
  const changes: Record<string, FieldChange> = {};
  for (const field of fields) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return Object.keys(changes).length === 0 ? null : changes;
}
