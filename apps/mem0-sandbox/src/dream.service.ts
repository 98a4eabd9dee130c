import type { Accounts, KeyBinding, ProjectRecord } from "./accounts.js";
import { formatTimestamp } from "./clock.js";
import { type Answer, isObject, ok } from "./context.js";
import type { DreamPattern, DreamRun, DreamSource, DreamState } from "./dream-state.js";
import { stableHex } from "./ids.js";
import type { MemoryRecord } from "./memory-record.js";

/**
 * Dream (newer-endpoints.md §1): project-level consolidation under .../projects/{project_id}/dream/. Shapes and
 * status codes follow the Dream docs pages and the 34894e2c spec. The sandbox stands in for the scheduler:
 * Mem0 reflects weekly (Pro) on memories created after reflection was enabled; here a run happens on the next
 * Dream read that finds such memories, deterministically. A run synthesizes one pattern per user with at least
 * REFLECTION_MIN_MEMORIES active user memories since enabling, drawn from that user's new memories. Patterns live
 * in Dream's own records (Mem0 also stores them as memories; the sandbox keeps list and search unchanged).
 * Merge and supersede happen in Mem0's add pipeline, which the sandbox does not model, so activity lists only
 * memories whose lifecycle state says so (none, in practice).
 */

/** newer-endpoints.md §1: synthesis considers users with at least 20 memories. */
const REFLECTION_MIN_MEMORIES = 20;
/** The Pro plan's reflection interval (Enterprise: daily). */
const REFLECTION_INTERVAL_DAYS = 7;
/** How many memories a preview or run scans at most (the docs name a cap without a figure; UNCONFIRMED). */
const SCAN_CAP = 10_000;
/** Synthesized memories shown inline per run before has_more (the rest via runs/{run_id}/memories/). */
const RUN_INLINE_MEMORIES = 10;
const PAGE = {
  activity: { default: 50, max: 200 },
  runs: { default: 20, max: 100 },
  runMemories: { default: 50, max: 200 },
} as const;

const PROJECT_NOT_FOUND: Answer = { status: 404, body: { message: "Organization or project not found" } };
const NOT_FOUND: Answer = { status: 404, body: { detail: "Not found." } };
const FORBIDDEN: Answer = {
  status: 403,
  body: { detail: "You do not have permission to perform this action." },
};
const INVALID_CURSOR: Answer = { status: 400, body: { detail: "Invalid cursor." } };

/** The project named by the path, if the caller can see it. */
export interface DreamTarget {
  accounts: Accounts;
  binding: KeyBinding;
  orgId: string;
  projectId: string;
}

function projectOf(target: DreamTarget): ProjectRecord | undefined {
  return target.accounts.projectFor(target.binding, target.orgId, target.projectId);
}

function stamp(date: Date | null): string | null {
  return date === null ? null : formatTimestamp(date);
}

/** A UUID-shaped id derived from a seed, so runs and patterns keep their ids across reads. */
function derivedUuid(seed: string): string {
  const hex = stableHex(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function configJson(dream: DreamState): Record<string, unknown> {
  const feature = (enabled: boolean) => ({ entitled: true, killed: false, enabled });
  return {
    config: {
      reflection_enabled: dream.reflectionEnabled,
      reflection_enabled_at: stamp(dream.reflectionEnabledAt),
      reflection_mode: dream.reflectionMode,
    },
    entitlements: {
      plan: "pro",
      reflection_interval_days: REFLECTION_INTERVAL_DAYS,
      features: {
        dream_reflection: feature(dream.reflectionEnabled),
        dream_tab: feature(true),
        dream_preview: feature(true),
      },
    },
  };
}

/** Active memories that belong to a user (synthesis is user-scoped). */
function userMemories(project: ProjectRecord): MemoryRecord[] {
  return project.store.allMemories().filter((m) => m.userId !== null && m.lifecycleState === "active");
}

/** Runs reflection over what arrived since the last run, when reflection is on and someone qualifies. */
function catchUp(project: ProjectRecord, now: Date): void {
  const dream = project.store.dream;
  const since = dream.reflectionEnabledAt;
  if (!dream.reflectionEnabled || since === null) return;
  const considered = userMemories(project).filter((m) => m.createdAt >= since);
  const fresh = considered.filter(
    (m) => dream.processedThrough === null || m.createdAt > dream.processedThrough,
  );
  const byUser = new Map<string, MemoryRecord[]>();
  for (const memory of considered)
    byUser.set(memory.userId ?? "", [...(byUser.get(memory.userId ?? "") ?? []), memory]);
  const eligible = [...byUser.entries()]
    .filter(([, memories]) => memories.length >= REFLECTION_MIN_MEMORIES)
    .filter(([user]) => fresh.some((m) => m.userId === user))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (eligible.length === 0) return;
  const runId = derivedUuid(`${project.projectId}:run:${dream.runs.length}`);
  const patterns: DreamPattern[] = eligible.map(([user, memories]) => {
    const sources = memories.filter((m) => fresh.includes(m)).map((m) => ({ id: m.id, text: m.memory }));
    const examples = sources.slice(0, 3).map((s) => s.text.replace(/\.$/, ""));
    return {
      id: derivedUuid(`${runId}:${user}`),
      userId: user,
      text: `Recurring for ${user} across ${memories.length} memories: ${examples.join("; ")}.`,
      sources,
    };
  });
  dream.runs.push({ runId, at: now, patterns });
  dream.processedThrough = new Date(Math.max(...fresh.map((m) => m.createdAt.getTime())));
  dream.lastRunAt = now;
}

/** Opaque keyset cursors: the offset of the next item, base64url-encoded. */
function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString("base64url");
}

function decodeCursor(cursor: unknown): number | null {
  if (cursor === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(String(cursor), "base64url").toString("utf8"));
  return match ? Number(match[1]) : null;
}

/** limit: a bad value falls back to the default and a large one is capped, as the DRF lists do. */
function limitOf(raw: unknown, bounds: { default: number; max: number }): number {
  const limit = raw === undefined ? bounds.default : Number(raw);
  if (!Number.isInteger(limit) || limit < 1) return bounds.default;
  return Math.min(limit, bounds.max);
}

type Page<T> = { ok: true; items: T[]; next: string | null } | { ok: false };

function pageOf<T>(
  items: T[],
  query: Record<string, unknown>,
  bounds: { default: number; max: number },
): Page<T> {
  const offset = decodeCursor(query.cursor);
  if (offset === null) return { ok: false };
  const limit = limitOf(query.limit, bounds);
  const slice = items.slice(offset, offset + limit);
  return {
    ok: true,
    items: slice,
    next: offset + limit < items.length ? encodeCursor(offset + limit) : null,
  };
}

function patternJson(pattern: DreamPattern): Record<string, unknown> {
  return { id: pattern.id, text: pattern.text, sources: pattern.sources };
}

function runJson(run: DreamRun): Record<string, unknown> {
  const shown = run.patterns.slice(0, RUN_INLINE_MEMORIES);
  const sources = new Map<string, DreamSource>();
  for (const pattern of shown) for (const source of pattern.sources) sources.set(source.id, source);
  const hasMore = run.patterns.length > shown.length;
  return {
    run_id: run.runId,
    at: formatTimestamp(run.at),
    count: run.patterns.length,
    synthesized: shown.map(patternJson),
    has_more: hasMore,
    mem_cursor: hasMore ? encodeCursor(shown.length) : null,
    sources: [...sources.values()],
  };
}

/** Resolves the project and brings its Dream state up to date, or answers 404. */
function withProject(target: DreamTarget, use: (project: ProjectRecord) => Answer): Answer {
  const project = projectOf(target);
  if (!project) return PROJECT_NOT_FOUND;
  catchUp(project, target.accounts.now());
  return use(project);
}

/** GET dream/config/. */
export function getDreamConfig(target: DreamTarget): Answer {
  return withProject(target, (project) => ok(configJson(project.store.dream)));
}

/** PATCH dream/config/: organization owners only; DRF field errors for bad values. */
export function updateDreamConfig(target: DreamTarget, body: unknown): Answer {
  const project = projectOf(target);
  if (!project) return PROJECT_NOT_FOUND;
  const org = target.accounts.orgs.get(project.orgId);
  if (!org || target.accounts.orgRole(target.binding, org) !== "OWNER") return FORBIDDEN;
  if (body !== undefined && !isObject(body))
    return { status: 400, body: { non_field_errors: ["Invalid data. Expected a dictionary."] } };
  const input = body ?? {};
  const errors: Record<string, string[]> = {};
  if (input.reflection_enabled !== undefined && typeof input.reflection_enabled !== "boolean")
    errors.reflection_enabled = ["Must be a valid boolean."];
  if (
    input.reflection_mode !== undefined &&
    input.reflection_mode !== "batch" &&
    input.reflection_mode !== "direct"
  )
    errors.reflection_mode = [`"${String(input.reflection_mode)}" is not a valid choice.`];
  if (Object.keys(errors).length > 0) return { status: 400, body: errors };
  const dream = project.store.dream;
  if (typeof input.reflection_enabled === "boolean" && input.reflection_enabled !== dream.reflectionEnabled) {
    dream.reflectionEnabled = input.reflection_enabled;
    // Reflection is forward-only: turning it on starts the window anew.
    dream.reflectionEnabledAt = input.reflection_enabled ? target.accounts.now() : null;
    dream.processedThrough = null;
  }
  if (input.reflection_mode === "batch" || input.reflection_mode === "direct")
    dream.reflectionMode = input.reflection_mode;
  return ok(configJson(dream));
}

/** GET dream/stats/. */
export function getDreamStats(target: DreamTarget): Answer {
  return withProject(target, (project) => {
    const dream = project.store.dream;
    const memories = project.store.allMemories();
    const count = (state: MemoryRecord["lifecycleState"]) =>
      memories.filter((m) => m.lifecycleState === state).length;
    const intervalMs = REFLECTION_INTERVAL_DAYS * 86_400_000;
    const from = dream.lastRunAt ?? dream.reflectionEnabledAt;
    return ok({
      active: count("active"),
      merged: count("merged"),
      superseded: count("superseded"),
      synthesized: dream.runs.reduce((sum, run) => sum + run.patterns.length, 0),
      last_run_at: stamp(dream.lastRunAt),
      processed_through: stamp(dream.processedThrough),
      running: false,
      next_run_at:
        dream.reflectionEnabled && from !== null
          ? formatTimestamp(new Date(from.getTime() + intervalMs))
          : null,
    });
  });
}

/** GET dream/activity/: merged and superseded memories, newest first. */
export function getDreamActivity(target: DreamTarget, query: Record<string, unknown>): Answer {
  return withProject(target, (project) => {
    const retired = project.store
      .allMemories()
      .filter((m) => m.lifecycleState !== "active")
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    const page = pageOf(retired, query, PAGE.activity);
    if (!page.ok) return INVALID_CURSOR;
    return ok({
      results: page.items.map((m) => ({
        memory_id: m.id,
        text: m.memory.length > 200 ? `${m.memory.slice(0, 197)}...` : m.memory,
        transition: m.lifecycleState,
        at: formatTimestamp(m.updatedAt),
        replaced_by: null,
        sources: null,
      })),
      next_cursor: page.next,
    });
  });
}

/** GET dream/runs/: newest first. */
export function getDreamRuns(target: DreamTarget, query: Record<string, unknown>): Answer {
  return withProject(target, (project) => {
    const page = pageOf([...project.store.dream.runs].reverse(), query, PAGE.runs);
    if (!page.ok) return INVALID_CURSOR;
    return ok({ results: page.items.map(runJson), next_cursor: page.next });
  });
}

/** GET dream/runs/{run_id}/memories/. */
export function getDreamRunMemories(
  target: DreamTarget,
  runId: string,
  query: Record<string, unknown>,
): Answer {
  return withProject(target, (project) => {
    const run = project.store.dream.runs.find((r) => r.runId === runId);
    if (!run) return NOT_FOUND;
    const page = pageOf(run.patterns, query, PAGE.runMemories);
    if (!page.ok) return INVALID_CURSOR;
    return ok({ results: page.items.map(patternJson), next_cursor: page.next });
  });
}

/** GET dream/memory/{memory_id}/sources/: a stored memory (no sources) or a synthesized one (its sources). */
export function getDreamMemorySources(target: DreamTarget, memoryId: string): Answer {
  return withProject(target, (project) => {
    const id = memoryId.toLowerCase();
    const pattern = project.store.dream.runs.flatMap((run) => run.patterns).find((p) => p.id === id);
    if (pattern) {
      return ok({
        memory_id: pattern.id,
        synthesized: true,
        // A source deleted since the run is left out: it has no lifecycle state any more.
        sources: pattern.sources.flatMap((source) => {
          const record = project.store.memories.get(source.id);
          return record
            ? [{ id: source.id, text: record.memory, lifecycle_state: record.lifecycleState }]
            : [];
        }),
      });
    }
    if (!project.store.memories.has(id)) return NOT_FOUND;
    return ok({ memory_id: id, synthesized: false, sources: [] });
  });
}

/** POST dream/preview/: what reflection would consider now; writes nothing. */
export function previewDream(target: DreamTarget): Answer {
  const project = projectOf(target);
  if (!project) return PROJECT_NOT_FOUND;
  const active = project.store.allMemories().filter((m) => m.lifecycleState === "active");
  const perUser = new Map<string, number>();
  for (const memory of userMemories(project))
    perUser.set(memory.userId ?? "", (perUser.get(memory.userId ?? "") ?? 0) + 1);
  const eligible = [...perUser.values()].filter((n) => n >= REFLECTION_MIN_MEMORIES).length;
  return ok({
    active_total: active.length,
    scanned: Math.min(active.length, SCAN_CAP),
    cap: SCAN_CAP,
    eligible_users: eligible,
    note: `Preview only: nothing was written and no model ran. Users need ${REFLECTION_MIN_MEMORIES} memories to be eligible.`,
  });
}
