import type { ResourceDefinition } from "../format.js";
import { additive, overwrite, read } from "./catalogue-parts.js";
import { profileJobsDocs, profileSettingsDocs, profilesDocs } from "./docs/profiles.js";
import { profileOutputs as out } from "./output-schemas-profiles.js";
import { idParameter, metadataObject, nonEmptyString } from "./schemas.js";

/**
 * Profiles (newer-endpoints.md §2, beta). Where the sources disagree this follows the live docs and the
 * newest SDKs over the 34894e2c spec: users only, settings nested under entities.user, operation sample or
 * trigger, and a required Idempotency-Key header on job creation.
 */

const userOnly = {
  name: "entity_type",
  in: "path",
  required: true,
  schema: { type: "string", enum: ["user"] },
} as const;

export const profiles: ResourceDefinition = {
  name: "profiles",
  singular: "profile",
  tags: ["profiles"],
  methods: {
    get: {
      http: {
        verb: "GET",
        path: "/v2/entities/{entity_type}/{entity_id}/profile/",
        parameters: [userOnly, idParameter("entity_id")],
      },
      hints: read,
      docs: profilesDocs.get,
      output: out.profiles.get,
    },
  },
};

export const profileSettings: ResourceDefinition = {
  name: "profile_settings",
  singular: "profile_settings",
  tags: ["profiles"],
  methods: {
    get: {
      http: { verb: "GET", path: "/v2/profiles/settings/", parameters: [] },
      hints: read,
      docs: profileSettingsDocs.get,
      output: out.settings.get,
    },
    update: {
      // Mem0 writes only the keys sent, so this is an update although the verb is POST.
      http: {
        verb: "POST",
        path: "/v2/profiles/settings/",
        parameters: [
          { name: "enabled", in: "body", schema: { type: "boolean" } },
          {
            name: "entities",
            in: "body",
            schema: {
              type: "object",
              properties: {
                user: {
                  type: "object",
                  properties: { schema: metadataObject, custom_instructions: { type: "string" } },
                  additionalProperties: false,
                },
              },
              additionalProperties: false,
            },
          },
        ],
        requireOneOf: [["enabled", "entities"]],
      },
      hints: overwrite,
      docs: profileSettingsDocs.update,
      output: out.settings.update,
    },
  },
};

export const profileJobs: ResourceDefinition = {
  name: "profile_jobs",
  singular: "profile_job",
  tags: ["profiles"],
  methods: {
    create: {
      http: {
        verb: "POST",
        path: "/v2/profiles/jobs/",
        parameters: [
          {
            name: "idempotency_key",
            in: "header",
            wireName: "Idempotency-Key",
            required: true,
            schema: { type: "string", minLength: 8, maxLength: 128, pattern: "^[\\x21-\\x7e]+$" },
          },
          { name: "operation", in: "body", schema: { type: "string", enum: ["sample", "trigger"] } },
          { name: "entity_type", in: "body", required: true, schema: { type: "string", enum: ["user"] } },
          { name: "entity_id", in: "body", schema: nonEmptyString },
          { name: "limit", in: "body", schema: { type: "integer", minimum: 1, maximum: 10 } },
        ],
        // An omitted operation means trigger, which needs the user.
        requireOneOf: [["operation", "entity_id"]],
      },
      hints: additive,
      tags: ["async"],
      docs: profileJobsDocs.create,
      output: out.jobs.create,
    },
    get: {
      http: { verb: "GET", path: "/v2/profiles/jobs/{job_id}/", parameters: [idParameter("job_id")] },
      hints: read,
      docs: profileJobsDocs.get,
      output: out.jobs.get,
    },
  },
};
