import type { Accounts, KeyBinding } from "./accounts.js";
import type { Clock } from "./clock.js";
import type { EventRunner } from "./events.js";
import type { IdFactory } from "./ids.js";
import type { ProjectStore } from "./project-store.js";

/** The sandbox's shared state and services, handed to every route. */
export interface SandboxContext {
  accounts: Accounts;
  ids: IdFactory;
  clock: Clock;
  events: EventRunner;
}

/** One request's caller: its key binding and the store of the project the key is bound to. */
export interface Caller {
  binding: KeyBinding;
  store: ProjectStore;
}

/** An HTTP answer computed by a service: the status and the JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** A 200 answer. */
export function ok(body: unknown): Answer {
  return { status: 200, body };
}

/** Whether a value is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
