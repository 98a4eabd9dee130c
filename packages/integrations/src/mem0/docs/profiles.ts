import type { DocumentationRecord } from "../../format.js";

/** Profiles: one JSON document per user, shaped by the project's schema and built from their memories. */
const PROFILES =
  "A profile is one JSON document per user, shaped by the project's profile schema and built by Mem0 from " +
  "that user's memories in the background. Profiles are a beta that Mem0 enables per project on request.";
const OWN_PROJECT = "The project is the connected account's own.";

export const profilesDocs = {
  get: {
    title: "Get a user's profile",
    description:
      `Reads the profile of one user. ${PROFILES} status tells where it stands: succeeded (profile filled), ` +
      "pending, failed, insufficient_data (too few memories yet) or not_enabled (profiles are off for the " +
      "project). To build or refresh it, start a job with create_a_mem_0_profile_job. " +
      OWN_PROJECT,
    parameters: {
      entity_type: "user (profiles exist for users only).",
      id: 'The user\'s id as used in memories, e.g. "alice".',
    },
    example: { entity_type: "user", id: "alice" },
    returns:
      "profile (shaped by the schema; empty until status is succeeded), status, entity_type, entity_id, updated_at.",
  },
} satisfies Record<string, DocumentationRecord>;

export const profileSettingsDocs = {
  get: {
    title: "Get profile settings",
    description: `Reads whether profiles are on for the project and the schema and instructions that shape them. ${PROFILES} ${OWN_PROJECT}`,
    parameters: {},
    example: {},
    returns: "enabled, entities.user (schema, custom_instructions) and capabilities.",
  },
  update: {
    title: "Change profile settings",
    description:
      "Turns profiles on or off for the project and sets the JSON Schema a user's profile follows. Every " +
      "property of the schema needs a description, which tells Mem0 what to put there. Only the settings you " +
      `send change. Give at least one. ${OWN_PROJECT}`,
    parameters: {
      enabled: "true to build profiles in the project, false to stop.",
      entities:
        'Per-entity settings; only user exists: {"user": {"schema": {...}, "custom_instructions": "..."}}.',
    },
    example: {
      enabled: true,
      entities: {
        user: {
          schema: {
            type: "object",
            properties: { diet: { type: "string", description: "What the user eats or avoids." } },
          },
        },
      },
    },
    returns: "the settings as stored, shaped as get_single_mem_0_profile_settings_by_id returns them.",
  },
} satisfies Record<string, DocumentationRecord>;

export const profileJobsDocs = {
  create: {
    title: "Start a profile job",
    description:
      "Starts building profiles in the background. trigger builds or refreshes the profile of one user " +
      "(entity_id); sample builds profiles for a few users (limit, up to 10) so you can check the schema before " +
      "turning profiles on widely. Samples are real generations and count toward usage. Send a fresh " +
      "idempotency_key for each new job and the same one only to retry the same request: a retry returns the " +
      "original job with replayed true, and a key reused for a different request is refused (409). Then follow " +
      `the job with get_single_mem_0_profile_job_by_id. Profiles must be configured first. ${OWN_PROJECT}`,
    parameters: {
      idempotency_key: "A unique string of 8 to 128 printable characters for this request, e.g. a UUID.",
      operation: "trigger (one user) or sample (a few users). May be left out when entity_id is given.",
      entity_type: "user (profiles exist for users only).",
      entity_id: "The user whose profile to build (trigger).",
      limit: "How many users to sample, 1 to 10 (sample).",
    },
    example: {
      idempotency_key: "3f9c1e52-7a4b-4d2e-9b1a-6c8d0e2f4a61",
      operation: "trigger",
      entity_type: "user",
      entity_id: "alice",
    },
    returns:
      "job_id, status (QUEUED at first), status_url, operation, entity_type, entity_count_reserved, event_id, replayed (and sampled, entity_ids for a sample).",
  },
  get: {
    title: "Get a profile job",
    description: `Reads the progress of a profile job started with create_a_mem_0_profile_job. ${OWN_PROJECT}`,
    parameters: { id: "The job_id returned when the job was started." },
    example: { id: "pjob_8d3e0a71" },
    returns:
      "job: id, operation, entity_type, status (QUEUED, RUNNING, SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED or CANCELLED), total, completed, succeeded, failed, skipped.",
  },
} satisfies Record<string, DocumentationRecord>;
