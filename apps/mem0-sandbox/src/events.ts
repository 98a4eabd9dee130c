import { type Clock, formatTimestamp } from "./clock.js";
import type { IdFactory } from "./ids.js";
import type { EventRecord, ProjectStore } from "./project-store.js";

/** What an async job produces: the event's results, or a failure message. */
export type JobOutcome = { ok: true; results: unknown[] } | { ok: false; error: string };

/**
 * Runs Mem0-style async events: PENDING at once, RUNNING halfway through the delay, then SUCCEEDED or
 * FAILED when the job's work runs. The work runs at completion, so its effects appear when the event ends.
 */
export class EventRunner {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ids: IdFactory,
    private readonly clock: Clock,
    private readonly delayMs: number,
  ) {}

  /** Queues a job and returns its PENDING event. */
  start(store: ProjectStore, eventType: string, payload: unknown, work: () => JobOutcome): EventRecord {
    const event = this.create(store, eventType, payload);
    this.after(Math.floor(this.delayMs / 2), () => {
      event.status = "RUNNING";
      event.startedAt = this.clock();
      event.updatedAt = event.startedAt;
    });
    this.after(this.delayMs, () => {
      if (event.startedAt === null) event.startedAt = this.clock();
      this.finish(event, work());
    });
    return event;
  }

  /** Runs a job now and records its finished event (infer:false adds, logged reads). */
  runNow(store: ProjectStore, eventType: string, payload: unknown, work: () => JobOutcome): EventRecord {
    const event = this.create(store, eventType, payload);
    event.startedAt = event.createdAt;
    this.finish(event, work());
    return event;
  }

  /** Cancels every pending transition (the sandbox is closing). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private create(store: ProjectStore, eventType: string, payload: unknown): EventRecord {
    const now = this.clock();
    const event: EventRecord = {
      id: this.ids.uuid(),
      eventType,
      status: "PENDING",
      payload: payload ?? {},
      results: [],
      error: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      completedAt: null,
    };
    store.events.set(event.id, event);
    return event;
  }

  private finish(event: EventRecord, outcome: JobOutcome): void {
    const now = this.clock();
    event.status = outcome.ok ? "SUCCEEDED" : "FAILED";
    if (outcome.ok) event.results = outcome.results;
    else event.error = outcome.error;
    event.completedAt = now;
    event.updatedAt = now;
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }
}

/** The JSON form of an event (GET /v1/event/{id}/ and the events list). */
export function toEventJson(event: EventRecord): Record<string, unknown> {
  const latency =
    event.startedAt && event.completedAt ? event.completedAt.getTime() - event.createdAt.getTime() : null;
  return {
    id: event.id,
    event_type: event.eventType,
    status: event.status,
    payload: event.payload,
    metadata: null,
    results: event.results,
    created_at: formatTimestamp(event.createdAt),
    updated_at: formatTimestamp(event.updatedAt),
    started_at: event.startedAt ? formatTimestamp(event.startedAt) : null,
    completed_at: event.completedAt ? formatTimestamp(event.completedAt) : null,
    latency,
    graph_status: null,
    error: event.error,
  };
}
