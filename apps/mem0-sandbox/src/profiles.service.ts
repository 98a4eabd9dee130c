import { formatTimestamp } from "./clock.js";
import { type Answer, type Caller, isObject, ok, type SandboxContext } from "./context.js";
import { buildExport } from "./export-builder.js";
import type { ProfileJob, ProfileState } from "./profile-state.js";
import { type EventRecord, entityKey } from "./project-store.js";

/**
 * Profiles (newer-endpoints.md §2, beta). Where the sources disagree this follows the live docs and the newest
 * SDK tests, as the endpoint index does: users only; settings nested under entities.user (a flat schema is
 * "Unsupported settings"); jobs with operation sample|trigger, a required Idempotency-Key of 8 to 128
 * characters, 202 with entity_count_reserved and entity_ids (the 34894e2c spec's usage_units/results are not
 * used). Errors are `{"error": {"code", "message"}}`, since the docs tell clients to branch on error.code; the
 * codes themselves are UNCONFIRMED. The sandbox builds a profile by filling the schema from the user's
 * memories with the export builder (Mem0 uses a model); a job runs as an async event (event_id), so its status
 * moves QUEUED -> RUNNING -> SUCCEEDED with the sandbox's event delay.
 */

/** newer-endpoints.md §2: a sample covers at most 10 entities. */
const SAMPLE_MAX = 10;
const SAMPLE_DEFAULT = 5;
/** "A sample cannot be repeated immediately"; the real cooldown is UNCONFIRMED. */
const SAMPLE_COOLDOWN_SECONDS = 60;
/** Idempotency-Key bounds from the live docs. */
const IDEMPOTENCY_KEY = { min: 8, max: 128 } as const;

function profileError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Answer {
  return { status, body: { error: { code, message, ...extra } } };
}

function settingsJson(state: ProfileState): Record<string, unknown> {
  return {
    enabled: state.enabled,
    entities: { user: { schema: state.schema, custom_instructions: state.customInstructions } },
    capabilities: { full_rebuild: false },
  };
}

/** GET /v2/profiles/settings/. */
export function getProfileSettings(caller: Caller): Answer {
  return ok(settingsJson(caller.store.profiles));
}

/** Why a profile schema is refused: every property needs a description (the docs' rule). */
function schemaProblem(schema: Record<string, unknown>): string | undefined {
  if (schema.type !== undefined && schema.type !== "object")
    return 'The profile schema must have type "object".';
  if (!isObject(schema.properties) || Object.keys(schema.properties).length === 0)
    return "The profile schema needs at least one property.";
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!isObject(property) || typeof property.description !== "string" || property.description.trim() === "")
      return `Property "${name}" needs a description: it tells Mem0 what to put there.`;
  }
  return undefined;
}

/** POST /v2/profiles/settings/: writes only the keys sent; an explicit null clears a field. */
export function updateProfileSettings(caller: Caller, body: unknown): Answer {
  if (!isObject(body)) return profileError(400, "invalid_request", "The body must be a JSON object.");
  const unsupported = Object.keys(body).filter((key) => key !== "enabled" && key !== "entities");
  if (unsupported.length > 0)
    return profileError(
      400,
      "unsupported_settings",
      `Unsupported settings: ${unsupported.join(", ")}. Put schema and custom_instructions under entities.user.`,
    );
  if (body.enabled !== undefined && typeof body.enabled !== "boolean")
    return profileError(400, "invalid_request", "enabled must be true or false.");
  let user: Record<string, unknown> = {};
  if (body.entities !== undefined) {
    if (!isObject(body.entities)) return profileError(400, "invalid_request", "entities must be an object.");
    const others = Object.keys(body.entities).filter((key) => key !== "user");
    if (others.length > 0)
      return profileError(
        400,
        "unsupported_entity_type",
        `Profiles exist for users only, not ${others.join(", ")}.`,
      );
    if (body.entities.user !== undefined && !isObject(body.entities.user))
      return profileError(400, "invalid_request", "entities.user must be an object.");
    user = (body.entities.user as Record<string, unknown> | undefined) ?? {};
    const extra = Object.keys(user).filter((key) => key !== "schema" && key !== "custom_instructions");
    if (extra.length > 0)
      return profileError(400, "unsupported_settings", `Unsupported settings: ${extra.join(", ")}.`);
    if (user.schema !== undefined && user.schema !== null) {
      if (!isObject(user.schema))
        return profileError(400, "invalid_profile_schema", "schema must be a JSON Schema object.");
      const problem = schemaProblem(user.schema);
      if (problem) return profileError(400, "invalid_profile_schema", problem);
    }
    if (
      user.custom_instructions !== undefined &&
      user.custom_instructions !== null &&
      typeof user.custom_instructions !== "string"
    )
      return profileError(400, "invalid_request", "custom_instructions must be a string.");
  }
  const state = caller.store.profiles;
  if (typeof body.enabled === "boolean") state.enabled = body.enabled;
  if (user.schema !== undefined) state.schema = user.schema as Record<string, unknown> | null;
  if (user.custom_instructions !== undefined)
    state.customInstructions = user.custom_instructions as string | null;
  return ok(settingsJson(state));
}

function userMemories(caller: Caller, userId: string) {
  return caller.store.allMemories().filter((m) => m.userId === userId && m.lifecycleState === "active");
}

/** GET /v2/entities/{entity_type}/{entity_id}/profile/: 200 for any known user, whatever its status. */
export function getProfile(caller: Caller, entityType: string, entityId: string): Answer {
  if (entityType !== "user")
    return profileError(
      400,
      "unsupported_entity_type",
      `Profiles exist for users only, not "${entityType}".`,
    );
  if (!caller.store.entities.has(entityKey("user", entityId)))
    return profileError(404, "entity_not_found", `No user "${entityId}" in this project.`);
  const state = caller.store.profiles;
  const stored = state.profiles.get(entityId);
  const configured = state.enabled && state.schema !== null;
  const status = !configured
    ? "not_enabled"
    : (stored?.status ?? (userMemories(caller, entityId).length === 0 ? "insufficient_data" : "pending"));
  return ok({
    profile: configured && stored?.status === "succeeded" ? stored.profile : {},
    status,
    entity_type: "user",
    entity_id: entityId,
    updated_at: stored ? formatTimestamp(stored.updatedAt) : null,
    generation_count: stored?.generationCount ?? 0,
  });
}

/** A job's status, read from the event that runs it. */
function jobStatus(event: EventRecord | undefined): string {
  switch (event?.status) {
    case undefined:
    case "PENDING":
      return "QUEUED";
    case "RUNNING":
      return "RUNNING";
    case "SUCCEEDED":
      return "SUCCEEDED";
    case "FAILED":
      return "FAILED";
  }
}

function acceptedJson(
  job: ProfileJob,
  replayed: boolean,
  event: EventRecord | undefined,
): Record<string, unknown> {
  return {
    job_id: job.id,
    status: jobStatus(event),
    status_url: `/v2/profiles/jobs/${job.id}/`,
    operation: job.operation,
    entity_type: "user",
    entity_count_reserved: job.entityIds.length,
    event_id: job.eventId,
    replayed,
    ...(job.operation === "sample" ? { sampled: job.entityIds.length, entity_ids: job.entityIds } : {}),
  };
}

/** The job request with defaults applied, or the refusal. */
type JobRequest =
  | { ok: true; operation: "sample" | "trigger"; entityId: string | null; limit: number }
  | { ok: false; answer: Answer };

function readJobRequest(body: unknown): JobRequest {
  const refuse = (code: string, message: string): JobRequest => ({
    ok: false,
    answer: profileError(400, code, message),
  });
  if (!isObject(body)) return refuse("invalid_request", "The body must be a JSON object.");
  const entityId = typeof body.entity_id === "string" && body.entity_id !== "" ? body.entity_id : null;
  const operation = body.operation ?? (entityId !== null ? "trigger" : undefined);
  if (operation !== "sample" && operation !== "trigger")
    return refuse(
      "invalid_operation",
      'operation must be "sample" or "trigger" (it may be left out only with entity_id).',
    );
  if (body.entity_type !== "user") return refuse("unsupported_entity_type", 'entity_type must be "user".');
  if (operation === "trigger" && entityId === null)
    return refuse("invalid_request", "trigger needs entity_id.");
  const limit = body.limit ?? SAMPLE_DEFAULT;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > SAMPLE_MAX)
    return refuse("invalid_request", `limit must be an integer from 1 to ${SAMPLE_MAX}.`);
  return { ok: true, operation, entityId, limit: limit as number };
}

/** POST /v2/profiles/jobs/: 202 with the job, a replay for a repeated Idempotency-Key, 409 for a reused one. */
export function createProfileJob(
  ctx: SandboxContext,
  caller: Caller,
  idempotencyKey: unknown,
  body: unknown,
): Answer {
  const key = typeof idempotencyKey === "string" ? idempotencyKey : "";
  if (key.length < IDEMPOTENCY_KEY.min || key.length > IDEMPOTENCY_KEY.max)
    return profileError(
      400,
      "invalid_idempotency_key",
      `The Idempotency-Key header is required: ${IDEMPOTENCY_KEY.min} to ${IDEMPOTENCY_KEY.max} characters, unique per request.`,
    );
  const state = caller.store.profiles;
  const fingerprint = JSON.stringify(body ?? null);
  const earlier = state.jobs.get(state.idempotencyKeys.get(key) ?? "");
  if (earlier) {
    if (earlier.fingerprint !== fingerprint)
      return profileError(
        409,
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different request.",
      );
    return { status: 202, body: acceptedJson(earlier, true, caller.store.events.get(earlier.eventId)) };
  }
  const request = readJobRequest(body);
  if (!request.ok) return request.answer;
  if (!state.enabled || state.schema === null)
    return profileError(
      400,
      "profiles_not_configured",
      "Turn profiles on and set entities.user.schema in the profile settings first.",
    );

  let entityIds: string[];
  const now = ctx.clock();
  if (request.operation === "trigger") {
    const entityId = request.entityId ?? "";
    if (!caller.store.entities.has(entityKey("user", entityId)))
      return profileError(400, "entity_not_found", `No user "${entityId}" in this project.`);
    const running = [...state.jobs.values()].some(
      (job) =>
        job.entityIds.includes(entityId) &&
        ["QUEUED", "RUNNING"].includes(jobStatus(caller.store.events.get(job.eventId))),
    );
    if (running)
      return profileError(409, "job_already_running", `A profile job for "${entityId}" is still running.`);
    entityIds = [entityId];
  } else {
    const since =
      state.lastSampleAt === null
        ? Number.POSITIVE_INFINITY
        : (now.getTime() - state.lastSampleAt.getTime()) / 1000;
    if (since < SAMPLE_COOLDOWN_SECONDS) {
      const wait = Math.ceil(SAMPLE_COOLDOWN_SECONDS - since);
      return profileError(429, "cooldown", `A sample ran moments ago; try again in ${wait} seconds.`, {
        retry_after_seconds: wait,
      });
    }
    entityIds = [...new Set(caller.store.allMemories().flatMap((m) => (m.userId === null ? [] : [m.userId])))]
      .sort()
      .slice(0, request.limit);
    state.lastSampleAt = now;
  }

  const schema = state.schema;
  const event = ctx.events.start(
    caller.store,
    "PROFILE",
    { operation: request.operation, entity_ids: entityIds },
    () => {
      const at = ctx.clock();
      const results = entityIds.map((entityId) => {
        const memories = userMemories(caller, entityId);
        // A user without memories has nothing to build from: skipped, and the profile stays insufficient_data.
        if (memories.length === 0) return { entity_id: entityId, status: "skipped" };
        const previous = state.profiles.get(entityId);
        state.profiles.set(entityId, {
          profile: buildExport(schema, memories),
          status: "succeeded",
          updatedAt: at,
          generationCount: (previous?.generationCount ?? 0) + 1,
        });
        return { entity_id: entityId, status: "succeeded" };
      });
      return { ok: true, results };
    },
  );
  const job: ProfileJob = {
    id: `pjob_${ctx.ids.hex(12)}`,
    operation: request.operation,
    entityIds,
    eventId: event.id,
    fingerprint,
  };
  state.jobs.set(job.id, job);
  state.idempotencyKeys.set(key, job.id);
  return { status: 202, body: acceptedJson(job, false, event) };
}

/** GET /v2/profiles/jobs/{job_id}/. */
export function getProfileJob(caller: Caller, jobId: string): Answer {
  const job = caller.store.profiles.jobs.get(jobId);
  if (!job) return profileError(404, "job_not_found", `No profile job "${jobId}" in this project.`);
  const event = caller.store.events.get(job.eventId);
  const status = jobStatus(event);
  const done = status === "SUCCEEDED" || status === "FAILED";
  // The event's results say per user what happened; a failed event failed every user.
  const results = (event?.results ?? []) as { entity_id: string; status: string }[];
  const count = (outcome: string) => results.filter((r) => r.status === outcome).length;
  const succeeded = count("succeeded");
  const skipped = count("skipped");
  const failed = status === "FAILED" ? job.entityIds.length : 0;
  return ok({
    job: {
      id: job.id,
      operation: job.operation,
      entity_type: "user",
      status,
      total: job.entityIds.length,
      enumeration_complete: true,
      completed: succeeded + failed + skipped,
      succeeded,
      failed,
      skipped,
      ...(done
        ? {
            results:
              status === "FAILED"
                ? job.entityIds.map((entity_id) => ({ entity_id, status: "failed" }))
                : results,
          }
        : {}),
    },
  });
}
