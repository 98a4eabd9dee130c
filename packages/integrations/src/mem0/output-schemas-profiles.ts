import type { JsonSchema } from "../format.js";
import { nullable } from "../schema-portability.js";
import { count, flag, freeObject, optionalText, record, text } from "./output-schema-parts.js";

/**
 * What the Profiles operations answer (newer-endpoints.md §2, beta). Its sources disagree: the live docs and
 * the newest SDKs against the 34894e2c spec (flat settings, `usage_units` and `results` on a new job, agents
 * as well as users). A field is required only where every source shows it on every answer; the rest are
 * declared, so a program knows their type when they come, and objects stay open.
 */

const entityType: JsonSchema = { type: "string", description: "user (the 34894e2c spec also allows agent)." };

const profile: JsonSchema = record(
  {
    profile: {
      ...nullable(freeObject),
      description: "Shaped by the project's profile schema; empty unless status is succeeded.",
    },
    status: {
      type: "string",
      description: "succeeded, pending, failed, not_enabled or insufficient_data.",
    },
    entity_type: entityType,
    entity_id: text,
    updated_at: optionalText,
    // In the spec and the docs' field list, but dropped from the docs' example "to match the live API".
    generation_count: count,
  },
  ["profile", "status", "entity_type", "entity_id"],
);

const settings: JsonSchema = record(
  {
    enabled: flag,
    entities: record({
      user: record({
        schema: { ...nullable(freeObject), description: "The JSON Schema user profiles follow." },
        custom_instructions: optionalText,
      }),
    }),
    // From the SDK types and tests only.
    capabilities: record({ full_rebuild: flag }),
  },
  ["enabled"],
);

const jobStatus: JsonSchema = {
  type: "string",
  description: "QUEUED, RUNNING, SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED or CANCELLED.",
};

const jobAccepted: JsonSchema = record(
  {
    job_id: text,
    status: jobStatus,
    status_url: { type: "string", description: "Where to poll the job (the job tool takes job_id)." },
    operation: { type: "string", description: "sample or trigger." },
    entity_type: entityType,
    entity_count_reserved: count,
    event_id: optionalText,
    replayed: {
      type: "boolean",
      description: "True when the Idempotency-Key matched an earlier job, which this is.",
    },
    sampled: { ...count, description: "How many users a sample covers (sample only)." },
    entity_ids: { type: "array", items: text, description: "The users a sample covers (sample only)." },
  },
  ["job_id", "status"],
);

const job: JsonSchema = record(
  {
    job: record(
      {
        id: text,
        operation: { type: "string", description: "sample or trigger." },
        entity_type: entityType,
        status: jobStatus,
        total: { ...nullable(count), description: "How many users the job covers; null until enumerated." },
        enumeration_complete: flag,
        completed: { ...count, description: "succeeded + failed + skipped." },
        succeeded: count,
        failed: count,
        skipped: count,
        results: { type: "array", description: "Per-user outcomes, when Mem0 includes them." },
      },
      ["id", "status"],
    ),
  },
  ["job"],
);

/** Output schemas of the Profiles tools, by resource and method. */
export const profileOutputs = {
  profiles: { get: profile },
  settings: { get: settings, update: settings },
  jobs: { create: jobAccepted, get: job },
} as const;
