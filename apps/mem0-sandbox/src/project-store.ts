import { DreamState } from "./dream-state.js";
import type { EntityScope, MemoryRecord } from "./memory-record.js";
import { ProfileState } from "./profile-state.js";

/** One history entry: the previous and new value of a change to a memory. */
export interface HistoryEntry {
  id: string;
  memoryId: string;
  input: { role: string; content: string }[];
  oldMemory: string | null;
  newMemory: string | null;
  scope: EntityScope;
  categories: string[] | null;
  event: "ADD" | "UPDATE" | "DELETE";
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export type EventStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED";

/** A Mem0 event: async jobs (ADD, DELETE_ALL, ...) and logged reads (SEARCH, GET_ALL). */
export interface EventRecord {
  id: string;
  eventType: string;
  status: EventStatus;
  payload: unknown;
  results: unknown[];
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export type EntityType = "user" | "agent" | "app" | "run";

/** An entity row (a user, agent, app or run that has had memories, or was registered by POST /v1/<kind>s/). */
export interface EntityRecord {
  /** Numeric in practice (the deprecated v1 delete takes it). */
  id: string;
  type: EntityType;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the entity was registered explicitly. */
  displayName?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** An export job and, once built, its result. */
export interface ExportRecord {
  id: string;
  schema: Record<string, unknown>;
  filters: Record<string, unknown>;
  instructions: string | null;
  status: "PENDING" | "SUCCEEDED";
  result: Record<string, unknown> | null;
  createdAt: Date;
}

/** Feedback on one memory. */
export interface FeedbackRecord {
  id: string;
  memoryId: string;
  feedback: string | null;
  feedbackReason: string | null;
}

/** Everything one Mem0 project holds. In memory, per process. */
export class ProjectStore {
  readonly memories = new Map<string, MemoryRecord>();
  readonly history = new Map<string, HistoryEntry[]>();
  readonly events = new Map<string, EventRecord>();
  readonly entities = new Map<string, EntityRecord>();
  readonly exports: ExportRecord[] = [];
  readonly feedback = new Map<string, FeedbackRecord>();
  readonly dream = new DreamState();
  readonly profiles = new ProfileState();
  private entitySeq = 0;

  /** @param onChange told about every memory change (webhook delivery listens here). */
  constructor(private readonly onChange: (entry: HistoryEntry) => void = () => {}) {}

  /** Live memories in insertion order (oldest first). */
  allMemories(): MemoryRecord[] {
    return [...this.memories.values()];
  }

  /** Appends a history entry for a memory (every add, update and delete passes through here). */
  recordHistory(entry: HistoryEntry): void {
    const list = this.history.get(entry.memoryId) ?? [];
    list.push(entry);
    this.history.set(entry.memoryId, list);
    this.onChange(entry);
  }

  /** Adds an entity row for an explicit registration; undefined when the id is taken. */
  registerEntity(
    type: EntityType,
    name: string,
    details: { displayName: string | null; metadata: Record<string, unknown> | null },
    at: Date,
  ): EntityRecord | undefined {
    const key = entityKey(type, name);
    if (this.entities.has(key)) return undefined;
    this.entitySeq += 1;
    const entity: EntityRecord = {
      id: String(this.entitySeq),
      type,
      name,
      createdAt: at,
      updatedAt: at,
      ...details,
    };
    this.entities.set(key, entity);
    return entity;
  }

  /** Makes sure each entity id on a memory has an entity row. */
  touchEntities(scope: EntityScope, at: Date): void {
    const pairs: [EntityType, string | null][] = [
      ["user", scope.userId],
      ["agent", scope.agentId],
      ["app", scope.appId],
      ["run", scope.runId],
    ];
    for (const [type, name] of pairs) {
      if (name === null) continue;
      const key = entityKey(type, name);
      const existing = this.entities.get(key);
      if (existing) existing.updatedAt = at;
      else {
        this.entitySeq += 1;
        this.entities.set(key, { id: String(this.entitySeq), type, name, createdAt: at, updatedAt: at });
      }
    }
  }

  /** Removes a memory and records its deletion in history. */
  deleteMemory(record: MemoryRecord, historyId: string, at: Date): void {
    this.memories.delete(record.id);
    this.recordHistory({
      id: historyId,
      memoryId: record.id,
      input: [],
      oldMemory: record.memory,
      newMemory: null,
      scope: { userId: record.userId, agentId: record.agentId, appId: record.appId, runId: record.runId },
      categories: record.categories,
      event: "DELETE",
      metadata: record.metadata,
      createdAt: at,
    });
  }
}

/** The map key of an entity row. */
export function entityKey(type: EntityType, name: string): string {
  return `${type}\u0000${name}`;
}
