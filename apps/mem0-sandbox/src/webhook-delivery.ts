import type { Accounts } from "./accounts.js";
import type { HistoryEntry } from "./project-store.js";

/** One delivery attempt may take this long; the sandbox never retries (Mem0's retry policy is undocumented). */
const DELIVERY_TIMEOUT_MS = 5_000;

const EVENT_TYPE_OF: Record<HistoryEntry["event"], string> = {
  ADD: "memory_add",
  UPDATE: "memory_update",
  DELETE: "memory_delete",
};

/** The webhook bodies Mem0 documents (api.md §3.19) for one memory change. */
function payloadsFor(entry: HistoryEntry): { eventType: string; body: unknown }[] {
  const memory = entry.event === "DELETE" ? entry.oldMemory : entry.newMemory;
  const payloads: { eventType: string; body: unknown }[] = [
    {
      eventType: EVENT_TYPE_OF[entry.event],
      body: { event_details: { id: entry.memoryId, data: { memory }, event: entry.event } },
    },
  ];
  if (entry.event === "ADD" && entry.categories && entry.categories.length > 0)
    payloads.push({
      eventType: "memory_categorize",
      body: {
        event_details: { event: "CATEGORIZE", memory_id: entry.memoryId, categories: entry.categories },
      },
    });
  return payloads;
}

/** Posts memory changes to the project's active webhooks, fire-and-forget; close() aborts what is in flight. */
export class WebhookDelivery {
  private readonly inFlight = new Set<AbortController>();
  private accounts: Accounts | null = null;

  /** Connects the delivery to the account registry it reads webhooks from. */
  attach(accounts: Accounts): void {
    this.accounts = accounts;
  }

  /** Delivers one change to every active webhook of the project that subscribes to its event type. */
  deliver(projectId: string, entry: HistoryEntry): void {
    if (!this.accounts) return;
    const hooks = [...this.accounts.webhooks.values()].filter((h) => h.projectId === projectId && h.isActive);
    if (hooks.length === 0) return;
    for (const { eventType, body } of payloadsFor(entry)) {
      for (const hook of hooks.filter((h) => h.eventTypes.includes(eventType))) this.post(hook.url, body);
    }
  }

  /** Aborts deliveries still in flight. */
  stop(): void {
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private post(url: string, body: unknown): void {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), DELIVERY_TIMEOUT_MS);
    this.inFlight.add(controller);
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    })
      .then((response) => response.body?.cancel())
      // A receiver that is down or slow is the receiver's problem; the memory write has already happened.
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.inFlight.delete(controller);
      });
  }
}
