import type { FastifyReply, FastifyRequest } from "fastify";
import type { Accounts } from "./accounts.js";
import { delay } from "./clock.js";
import type { Caller } from "./context.js";
import type { FaultInjector } from "./faults.js";
import type { RateLimiter } from "./rate-limit.js";

/**
 * What runs before every route, in order: count the request, apply fault rules (before auth, so a fault can
 * stand in for any upstream failure), then authenticate the Token key and apply the per-key rate limit.
 */

const INVALID_KEY = "Invalid API key. You can find your API key on https://app.mem0.ai/dashboard/api-keys.";
const NO_CREDENTIALS = "Authentication credentials were not provided.";

/** Mutable per-sandbox state the guards read and update. */
export interface GuardState {
  accounts: Accounts;
  faults: FaultInjector;
  rateLimiter: RateLimiter | null;
  requests: number;
  /** Raw responses of hung requests, destroyed on close. */
  hung: Set<FastifyReply["raw"]>;
  timers: Set<NodeJS.Timeout>;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/** The authenticated caller of a request (routes run only after authentication succeeded). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error("callerOf used on an unauthenticated request");
  return caller;
}

function pathOf(request: FastifyRequest): string {
  const index = request.url.indexOf("?");
  return index === -1 ? request.url : request.url.slice(0, index);
}

/** Applies a matching fault rule. Returns true when the request has been answered (or left hanging). */
async function applyFault(state: GuardState, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const rule = state.faults.take(request.method, pathOf(request));
  if (!rule) return false;
  if (rule.latencyMs && rule.latencyMs > 0) await delay(rule.latencyMs, state.timers);
  if (rule.hang) {
    reply.hijack();
    const raw = reply.raw;
    state.hung.add(raw);
    raw.on("close", () => state.hung.delete(raw));
    return true;
  }
  if (rule.status !== undefined) {
    await reply
      .code(rule.status)
      .send(
        rule.body ?? { detail: `Injected fault: ${rule.status} for ${request.method} ${pathOf(request)}` },
      );
    return true;
  }
  return false;
}

/** Checks the `Authorization: Token <key>` header against the configured keys. */
export function authenticate(
  state: GuardState,
  request: FastifyRequest,
): { ok: true; caller: Caller } | { ok: false; detail: string } {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Token\s+(\S+)\s*$/i.exec(header) : null;
  // DRF's TokenAuthentication ignores other schemes, so a Bearer header counts as no credentials.
  if (!match) return { ok: false, detail: NO_CREDENTIALS };
  const binding = state.accounts.keys.get(match[1]!);
  if (!binding) return { ok: false, detail: INVALID_KEY };
  return { ok: true, caller: { binding, store: state.accounts.storeFor(binding) } };
}

/** DRF's 401 for a missing or unknown key. */
export async function refuseUnauthenticated(reply: FastifyReply, detail: string): Promise<void> {
  await reply.code(401).header("WWW-Authenticate", 'Token realm="api"').send({ detail });
}

/** The onRequest hook implementing the guards. */
export function makeGuardHook(
  state: GuardState,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    state.requests += 1;
    if (await applyFault(state, request, reply)) return;
    if (request.is404) return;
    const auth = authenticate(state, request);
    if (!auth.ok) {
      await refuseUnauthenticated(reply, auth.detail);
      return;
    }
    if (state.rateLimiter) {
      const decision = state.rateLimiter.take(auth.caller.binding.apiKey);
      reply.header("X-RateLimit-Limit", String(decision.limit));
      reply.header("X-RateLimit-Remaining", String(decision.remaining));
      reply.header("X-RateLimit-Reset", String(decision.resetSeconds));
      if (!decision.allowed) {
        await reply
          .code(429)
          .header("Retry-After", String(decision.resetSeconds))
          .send({ detail: `Request was throttled. Expected available in ${decision.resetSeconds} seconds.` });
        return;
      }
    }
    callers.set(request, auth.caller);
  };
}
