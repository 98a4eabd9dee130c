import type { JsonSchema } from "../format.js";
import { nullable } from "../schema-portability.js";
import { count, flag, listOf, optionalText, record, text } from "./output-schema-parts.js";

/**
 * What the Dream operations answer (newer-endpoints.md §1; the Dream docs pages and the 34894e2c spec agree).
 * Fields those sources show on every answer are required, null where they say so; the always-null `sources`
 * of an activity item is declared but not required. Objects stay open, as in output-schemas.ts.
 */

const timestamp = optionalText;
const cursor: JsonSchema = {
  ...optionalText,
  description: "Pass as cursor to read the next page; null on the last page.",
};

/** A memory a synthesized pattern was drawn from. */
const source: JsonSchema = record({ id: text, text }, ["id", "text"]);

/** A pattern memory written by reflection, with the memories it was drawn from. */
const synthesized: JsonSchema = record({ id: text, text, sources: listOf(source) }, [
  "id",
  "text",
  "sources",
]);

/** Whether the plan includes a Dream feature, whether Mem0 switched it off, and whether it is on. */
const feature: JsonSchema = record({ entitled: flag, killed: flag, enabled: flag });

const config: JsonSchema = record(
  {
    config: record(
      {
        reflection_enabled: flag,
        reflection_enabled_at: timestamp,
        reflection_mode: { type: "string", description: "batch or direct." },
      },
      ["reflection_enabled", "reflection_enabled_at", "reflection_mode"],
    ),
    entitlements: record(
      {
        plan: { type: "string", description: "The plan, e.g. free, pro or custom (Enterprise)." },
        reflection_interval_days: count,
        features: {
          type: "object",
          description: "Each Dream feature by name (dream_reflection, dream_tab, dream_preview, ...).",
          additionalProperties: feature,
        },
      },
      ["plan", "reflection_interval_days", "features"],
    ),
  },
  ["config", "entitlements"],
);

const stats: JsonSchema = record(
  {
    active: count,
    merged: count,
    superseded: count,
    synthesized: count,
    last_run_at: timestamp,
    processed_through: timestamp,
    running: flag,
    next_run_at: timestamp,
  },
  [
    "active",
    "merged",
    "superseded",
    "synthesized",
    "last_run_at",
    "processed_through",
    "running",
    "next_run_at",
  ],
);

const activityItem: JsonSchema = record(
  {
    memory_id: text,
    text: { type: "string", description: "The memory's text, possibly shortened." },
    transition: { type: "string", description: "merged or superseded." },
    at: text,
    replaced_by: nullable(record({ id: text, text: optionalText }, ["id"])),
    sources: nullable(listOf(source)),
  },
  ["memory_id", "text", "transition", "at", "replaced_by"],
);

const run: JsonSchema = record(
  {
    run_id: text,
    at: text,
    count: { ...count, description: "How many patterns the run synthesized." },
    synthesized: { ...listOf(synthesized), description: "The run's first patterns; more when has_more." },
    has_more: flag,
    mem_cursor: { ...optionalText, description: "The cursor for the run's remaining patterns, if any." },
    sources: { ...listOf(source), description: "Every memory the shown patterns drew on, once each." },
  },
  ["run_id", "at", "count", "synthesized", "has_more", "mem_cursor", "sources"],
);

/** A cursor page: its items, newest first, and the cursor of the next page. */
function cursorPage(items: JsonSchema): JsonSchema {
  return record({ results: listOf(items), next_cursor: cursor }, ["results", "next_cursor"]);
}

/** Output schemas of the Dream tools, by resource and method. */
export const dreamOutputs = {
  config: { get: config, update: config },
  stats: { list: stats },
  activity: { list: cursorPage(activityItem) },
  runs: { list: cursorPage(run) },
  runMemories: { list: cursorPage(synthesized) },
  memorySources: {
    list: record(
      {
        memory_id: text,
        synthesized: { type: "boolean", description: "Whether reflection wrote this memory." },
        sources: listOf(
          record(
            {
              id: text,
              text,
              lifecycle_state: { type: "string", description: "active, merged or superseded." },
            },
            ["id", "text", "lifecycle_state"],
          ),
        ),
      },
      ["memory_id", "synthesized", "sources"],
    ),
  },
  dream: {
    preview: record(
      {
        active_total: count,
        scanned: count,
        cap: count,
        eligible_users: count,
        note: text,
      },
      ["active_total", "scanned", "cap", "eligible_users", "note"],
    ),
  },
} as const;
