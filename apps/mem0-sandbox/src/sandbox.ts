import type { AddressInfo } from "node:net";
import { Accounts } from "./accounts.js";
import { buildApp } from "./app.js";
import type { SandboxContext } from "./context.js";
import { EventRunner } from "./events.js";
import { FaultInjector } from "./faults.js";
import { IdFactory } from "./ids.js";
import type { Sandbox, SandboxFaultRule, SandboxOptions } from "./options.js";
import { RateLimiter } from "./rate-limit.js";
import type { GuardState } from "./request-guards.js";
import { WebhookDelivery } from "./webhook-delivery.js";

/** Default time for an async event to finish: short, so tests and demos do not wait. */
const DEFAULT_EVENT_DELAY_MS = 50;

/** Starts an in-memory Mem0 Platform API on a local port. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const ids = new IdFactory(options.seed);
  const clock = options.now ?? (() => new Date());
  const apiKeys =
    options.apiKeys && options.apiKeys.length > 0 ? [...options.apiKeys] : [`m0-sandbox-${ids.hex(20)}`];
  for (const key of apiKeys) {
    if (typeof key !== "string" || !/^\S+$/.test(key))
      throw new Error("API keys must be non-empty strings without spaces");
  }
  const eventDelayMs = options.eventDelayMs ?? DEFAULT_EVENT_DELAY_MS;
  if (!Number.isFinite(eventDelayMs) || eventDelayMs < 0)
    throw new Error("eventDelayMs must be a non-negative number");

  const webhooks = new WebhookDelivery(options.webhookReach ?? "loopback");
  const accounts = new Accounts(apiKeys, ids, clock, (projectId, entry) =>
    webhooks.deliver(projectId, entry),
  );
  webhooks.attach(accounts);
  const events = new EventRunner(ids, clock, eventDelayMs);
  const ctx: SandboxContext = { accounts, ids, clock, events };
  const guards: GuardState = {
    accounts,
    faults: new FaultInjector(options.faults ?? []),
    rateLimiter: options.rateLimit
      ? new RateLimiter(options.rateLimit.limit, options.rateLimit.windowSeconds, clock)
      : null,
    requests: 0,
    hung: new Set(),
    timers: new Set(),
  };
  const app = buildApp(ctx, guards, options.logger ?? false);
  await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    apiKeys,
    requestCount: () => guards.requests,
    accountFor(apiKey: string) {
      const binding = accounts.keys.get(apiKey);
      if (!binding) throw new Error("accountFor: unknown API key");
      return { orgId: binding.orgId, projectId: binding.projectId, userEmail: binding.userEmail };
    },
    setFaults(rules: SandboxFaultRule[]) {
      guards.faults.set(rules);
    },
    close() {
      closing ??= (async () => {
        events.stop();
        webhooks.stop();
        for (const timer of guards.timers) clearTimeout(timer);
        guards.timers.clear();
        for (const raw of guards.hung) raw.destroy();
        guards.hung.clear();
        await app.close();
      })();
      return closing;
    },
  };
}
