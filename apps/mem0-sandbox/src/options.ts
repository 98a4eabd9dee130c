/** One fault rule: requests matching `method` (any when absent) and `path` get the configured misbehaviour. */
export interface SandboxFaultRule {
  method?: string;
  /** A glob (`*` matches any run of characters, `?` one character) or, when it starts with `^`, a regex source; matched against the path without its query string. */
  path: string;
  /** Delay before the request is handled (or before the injected status is sent). */
  latencyMs?: number;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Body sent with `status` (default: a DRF-style `{"detail": ...}`). */
  body?: unknown;
  /** Never answer; the connection stays open until the client gives up or the sandbox closes. */
  hang?: boolean;
  /** How many requests the rule applies to before it retires (default: every request). */
  times?: number;
}

/** How a sandbox is started; every field is optional. */
export interface SandboxOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keys accepted as `Authorization: Token <key>`; each gets its own org and project. Default: one generated key. */
  apiKeys?: string[];
  /** Time for an async event (add, delete-all, export) to reach a terminal state. Default 50 ms. */
  eventDelayMs?: number;
  /** Per-key fixed-window rate limit; null or undefined = off. */
  rateLimit?: { limit: number; windowSeconds: number } | null;
  /** Fault rules active from the start. */
  faults?: SandboxFaultRule[];
  /** Log requests with fastify's logger. */
  logger?: boolean;
  /** Seed for ids and generated keys: the same seed and the same calls give the same ids. Default: random. */
  seed?: string;
  /** Webhook receivers the sandbox posts to: "loopback" (default: 127.0.0.0/8, ::1, localhost only) or "any". */
  webhookReach?: "loopback" | "any";
  /** The sandbox's clock (timestamps, expiry, rate-limit windows). Default: the system clock. */
  now?: () => Date;
}

/** A running sandbox. */
export interface Sandbox {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  url: string;
  apiKeys: string[];
  /** Number of requests received so far (all paths, including refused ones). */
  requestCount(): number;
  /** Org and project bound to a key (what /v1/ping/ returns). */
  accountFor(apiKey: string): { orgId: string; projectId: string; userEmail: string };
  /** Replace the fault rules at run time (tests use this). */
  setFaults(rules: SandboxFaultRule[]): void;
  close(): Promise<void>;
}
