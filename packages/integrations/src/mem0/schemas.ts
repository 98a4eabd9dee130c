import type { ArgumentParameter, JsonSchema } from "../format.js";

/** Schema fragments the Mem0 catalogue repeats. */

export const ENTITY_ID_FIELDS = ["user_id", "agent_id", "app_id", "run_id"] as const;

export const nonEmptyString: JsonSchema = { type: "string", minLength: 1 };
export const uuid: JsonSchema = { type: "string", format: "uuid" };
export const isoDate: JsonSchema = { type: "string", format: "date" };
export const metadataObject: JsonSchema = { type: "object" };
export const stringList: JsonSchema = { type: "array", items: { type: "string" } };
export const pageNumber: JsonSchema = { type: "integer", minimum: 1 };
export const memberRole: JsonSchema = { type: "string", enum: ["READER", "OWNER"] };
export const email: JsonSchema = { type: "string", format: "email" };

/** The v3 filter language: an object with AND/OR/NOT or field conditions; entity ids live here. */
export const filtersObject: JsonSchema = { type: "object", minProperties: 1 };

/** The "filters" argument of list and search: required, and it must scope at least one entity. */
export const entityFilters: ArgumentParameter = {
  name: "filters",
  in: "body",
  required: true,
  schema: filtersObject,
  nestedKeys: ENTITY_ID_FIELDS,
  mustMentionOneOf: ENTITY_ID_FIELDS,
};

export const WEBHOOK_EVENT_TYPES = [
  "memory_add",
  "memory_update",
  "memory_delete",
  "memory_categorize",
  "ingest_job_completed",
  "ingest_job_partially_completed",
  "ingest_job_failed",
  "ingest_job_cancelled",
] as const;

/** One path parameter exposed to the model as "id" (Truto's convention for get/update/delete). */
export function idParameter(wireName: string, schema: JsonSchema = nonEmptyString): ArgumentParameter {
  return { name: "id", in: "path", wireName, required: true, schema };
}

/** An entity id as a top-level string argument (add and delete-all take them beside the other fields). */
export function entityIdParameters(location: "body" | "query"): ArgumentParameter[] {
  return ENTITY_ID_FIELDS.map((name) => ({ name, in: location, schema: nonEmptyString }));
}
