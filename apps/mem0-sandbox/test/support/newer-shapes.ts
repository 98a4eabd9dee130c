import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Response shapes of the Dream and Profiles operations, which our openapi.json copy predates. Written by us
 * from the documented fields (reference newer-endpoints.md, which follows the live docs over the 34894e2c
 * spec); every documented field is required, so a missing one fails.
 */

type Schema = Record<string, unknown>;

const dateTime: Schema = { type: "string", format: "date-time" };
const nullableDateTime: Schema = { anyOf: [dateTime, { type: "null" }] };
const nullableString: Schema = { type: ["string", "null"] };

function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
  };
}

const source = object({ id: { type: "string" }, text: { type: "string" } });
const synthesized = object({
  id: { type: "string" },
  text: { type: "string" },
  sources: { type: "array", items: source },
});
const feature = object({
  entitled: { type: "boolean" },
  killed: { type: "boolean" },
  enabled: { type: "boolean" },
});
const dreamConfig = object({
  config: object({
    reflection_enabled: { type: "boolean" },
    reflection_enabled_at: nullableDateTime,
    reflection_mode: { enum: ["batch", "direct"] },
  }),
  entitlements: object({
    plan: { type: "string" },
    reflection_interval_days: { type: "integer" },
    features: { type: "object", additionalProperties: feature },
  }),
});
const cursor = nullableString;
const profileSettings = object({
  enabled: { type: "boolean" },
  entities: object({
    user: object({ schema: { type: ["object", "null"] }, custom_instructions: nullableString }),
  }),
  capabilities: object({ full_rebuild: { type: "boolean" } }),
});
const profileError = object({ error: object({ code: { type: "string" }, message: { type: "string" } }) });
const jobStatus = { enum: ["QUEUED", "RUNNING", "SUCCEEDED", "PARTIALLY_SUCCEEDED", "FAILED", "CANCELLED"] };

export const NEWER_SHAPES = {
  "GET dream/config": dreamConfig,
  "PATCH dream/config": dreamConfig,
  "GET dream/stats": object({
    active: { type: "integer" },
    merged: { type: "integer" },
    superseded: { type: "integer" },
    synthesized: { type: "integer" },
    last_run_at: nullableDateTime,
    processed_through: nullableDateTime,
    running: { type: "boolean" },
    next_run_at: nullableDateTime,
  }),
  "GET dream/activity": object({
    results: {
      type: "array",
      items: object({
        memory_id: { type: "string" },
        text: { type: "string" },
        transition: { enum: ["merged", "superseded"] },
        at: dateTime,
        replaced_by: { anyOf: [object({ id: { type: "string" }, text: nullableString }), { type: "null" }] },
        sources: { type: "null" },
      }),
    },
    next_cursor: cursor,
  }),
  "GET dream/runs": object({
    results: {
      type: "array",
      items: object({
        run_id: { type: "string" },
        at: dateTime,
        count: { type: "integer" },
        synthesized: { type: "array", items: synthesized },
        has_more: { type: "boolean" },
        mem_cursor: cursor,
        sources: { type: "array", items: source },
      }),
    },
    next_cursor: cursor,
  }),
  "GET dream/runs/{run_id}/memories": object({
    results: { type: "array", items: synthesized },
    next_cursor: cursor,
  }),
  "GET dream/memory/{memory_id}/sources": object({
    memory_id: { type: "string" },
    synthesized: { type: "boolean" },
    sources: {
      type: "array",
      items: object({
        id: { type: "string" },
        text: { type: "string" },
        lifecycle_state: { enum: ["active", "merged", "superseded"] },
      }),
    },
  }),
  "POST dream/preview": object({
    active_total: { type: "integer" },
    scanned: { type: "integer" },
    cap: { type: "integer" },
    eligible_users: { type: "integer" },
    note: { type: "string" },
  }),
  "GET profile": object({
    profile: { type: "object" },
    status: { enum: ["succeeded", "pending", "failed", "not_enabled", "insufficient_data"] },
    entity_type: { const: "user" },
    entity_id: { type: "string" },
    updated_at: nullableDateTime,
    generation_count: { type: "integer" },
  }),
  "GET profiles/settings": profileSettings,
  "POST profiles/settings": profileSettings,
  "POST profiles/jobs": object(
    {
      job_id: { type: "string" },
      status: { type: "string" },
      status_url: { type: "string" },
      operation: { enum: ["sample", "trigger"] },
      entity_type: { const: "user" },
      entity_count_reserved: { type: "integer" },
      event_id: nullableString,
      replayed: { type: "boolean" },
      sampled: { type: "integer" },
      entity_ids: { type: "array", items: { type: "string" } },
    },
    ["sampled", "entity_ids"],
  ),
  "GET profiles/jobs/{job_id}": object({
    job: object(
      {
        id: { type: "string" },
        operation: { enum: ["sample", "trigger"] },
        entity_type: { const: "user" },
        status: jobStatus,
        total: { type: ["integer", "null"] },
        enumeration_complete: { type: "boolean" },
        completed: { type: "integer" },
        succeeded: { type: "integer" },
        failed: { type: "integer" },
        skipped: { type: "integer" },
        results: { type: "array" },
      },
      ["results"],
    ),
  }),
  "profile error": profileError,
} as const;

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Validation errors of `body` against a documented shape (empty when it conforms). */
export function shapeErrors(name: keyof typeof NEWER_SHAPES, body: unknown): string[] {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(NEWER_SHAPES[name]);
    compiled.set(name, validate);
  }
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
