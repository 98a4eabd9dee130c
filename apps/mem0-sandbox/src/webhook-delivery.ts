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

/** Where the sandbox may deliver: loopback receivers only (the default), or any URL. */
export type WebhookReach = "loopback" | "any";

/** Whether a webhook URL names this machine (127.0.0.0/8, ::1 or localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Posts memory changes to the project's active webhooks, fire-and-forget; close() aborts what is in flight.
 * By default only loopback receivers get deliveries: tests, fuzzers and examples register webhooks with
 * made-up public URLs, and a local stand-in must not send traffic to hosts it was never meant to reach.
 */
export class WebhookDelivery {
  private readonly inFlight = new Set<AbortController>();
  private accounts: Accounts | null = null;

  constructor(private readonly reach: WebhookReach = "loopback") {}

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
    if (this.reach === "loopback" && !isLoopbackUrl(url)) return;
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
