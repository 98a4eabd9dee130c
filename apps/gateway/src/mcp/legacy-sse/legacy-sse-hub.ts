import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import {
  closeLegacySseConnection,
  isStorageUnavailable,
  legacySseChannel,
  openLegacySseConnection,
  renewLegacySseConnection,
} from "@mcp-gateway/store";
import type { FastifyBaseLogger } from "fastify";
import type { Cluster, Redis } from "ioredis";
import type { McpAccess } from "../mcp-session.js";
import { SSE_KEEP_ALIVE, sseEvent } from "./event-stream.js";

/** Why a stream ended; the request log records the access-related ones as refusals. */
export type StreamEnd =
  | "client_closed"
  | "idle"
  | "backlog"
  | "shutdown"
  | "lease_lost"
  | { readonly refused: McpAccess & { ok: false } };

/** One event stream this instance holds. */
export interface HeldStream {
  readonly connectionId: string;
  readonly claims: McpTokenClaims;
  /** The Authorization header the stream was opened with: re-presented on every re-check, never stored. */
  readonly authorization: string | undefined;
  readonly response: ServerResponse;
  /** Called once when the stream ends, whatever the reason; `used` when a message was posted to it. */
  readonly onEnd: (end: StreamEnd, used: boolean) => void;
}

/** A message for a connection, as it travels from the instance that took the POST to the stream's holder. */
interface Delivery {
  /** Connection id. */
  readonly c: string;
  /** The JSON-RPC message to write, or null when the POST needed no answer (it still counts as activity). */
  readonly m: string | null;
}

export type OpenResult =
  | { ok: true }
  | { ok: false; reason: "instance_full" | "too_many_streams" | "unavailable" };

/** The hub's limits: LIMITS' values, which tests may shrink to see them act in milliseconds. */
export interface LegacySseLimits {
  readonly streamsPerUrl: number;
  readonly streamsPerInstance: number;
  readonly keepAliveMs: number;
  readonly recheckMs: number;
  readonly leaseMs: number;
  readonly idleMs: number;
  readonly backlogBytes: number;
}

const DEFAULT_LIMITS: LegacySseLimits = {
  streamsPerUrl: LIMITS.legacySseStreamsPerUrl,
  streamsPerInstance: LIMITS.legacySseStreamsPerInstance,
  keepAliveMs: LIMITS.legacySseKeepAliveMs,
  recheckMs: LIMITS.legacySseRecheckMs,
  leaseMs: LIMITS.legacySseLeaseMs,
  idleMs: LIMITS.legacySseIdleMs,
  backlogBytes: LIMITS.legacySseBacklogBytes,
};

export interface LegacySseHubDeps {
  readonly redis: Redis;
  readonly log: FastifyBaseLogger;
  /** The same access check as every MCP request: run again on every open stream. */
  resolveAccess(claims: McpTokenClaims, authorization: string | undefined): Promise<McpAccess>;
  readonly limits?: Partial<LegacySseLimits>;
}

interface Entry extends HeldStream {
  lastActivity: number;
  used: boolean;
  ended: boolean;
  timers: NodeJS.Timeout[];
}

/**
 * The legacy streams one instance holds, and its end of the Redis relay: every stream is registered in
 * Redis with a lease (renewed while it lives), and messages for it arrive on this instance's pub/sub
 * channel through a dedicated subscriber connection. Streams are re-checked every LIMITS.legacySseRecheckMs
 * with the request path's own access check, so revocation, expiry and a lost credential end them within
 * that bound.
 */
export class LegacySseHub {
  /** This instance's id: random per process, so a restarted instance never receives a dead one's messages. */
  readonly instanceId = randomBytes(12).toString("base64url");
  private readonly streams = new Map<string, Entry>();
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private listening = false;
  private readonly limits: LegacySseLimits;

  constructor(private readonly deps: LegacySseHubDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.channel = legacySseChannel(deps.redis.options.keyPrefix ?? "", this.instanceId);
  }

  /** Opens the dedicated subscriber connection (pub/sub needs one of its own) and listens on this instance's channel. */
  async start(): Promise<void> {
    // Sharded pub/sub (Redis 7): on a Cluster the channel lives on the node owning its slot, so SPUBLISH's
    // count of receivers is exact there too (a classic PUBLISH counts only the node it was sent to).
    const { redis } = this.deps;
    const subscriber = redis.isCluster
      ? ((redis as unknown as Cluster).duplicate([], { shardedSubscribers: true }) as unknown as Redis)
      : redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on("error", (error: Error) =>
      this.deps.log.debug({ reason: error.message }, "legacy SSE subscriber error"),
    );
    // ioredis re-subscribes by itself after a reconnect; until then answers could not arrive, so no new
    // stream is opened (503) while the subscriber is down.
    subscriber.on("close", () => {
      this.listening = false;
    });
    subscriber.on("ready", () => {
      void this.subscribe(subscriber);
    });
    subscriber.on("smessage", (_channel: string, payload: string) => this.deliver(payload));
    await subscriber.connect().catch((error: Error) => {
      this.deps.log.warn({ reason: error.message }, "legacy SSE subscriber could not connect yet");
    });
    if (subscriber.status === "ready") await this.subscribe(subscriber);
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.ssubscribe(this.channel);
      this.listening = true;
    } catch (error) {
      this.deps.log.warn({ reason: (error as Error).message }, "legacy SSE subscribe failed");
    }
  }

  /** Streams held now. */
  get size(): number {
    return this.streams.size;
  }

  /** Registers a stream in Redis (within the per-URL and per-instance limits) and starts its timers. */
  async open(stream: HeldStream): Promise<OpenResult> {
    if (!this.listening) return { ok: false, reason: "unavailable" };
    if (this.streams.size >= this.limits.streamsPerInstance) return { ok: false, reason: "instance_full" };
    const { claims, connectionId } = stream;
    let opened: boolean;
    try {
      opened = await openLegacySseConnection(
        this.deps.redis,
        {
          tenantId: claims.tenantId,
          serverId: claims.serverId,
          tokenId: claims.tokenId,
          connectionId,
          instanceId: this.instanceId,
        },
        this.limits.leaseMs,
        this.limits.streamsPerUrl,
      );
    } catch (error) {
      if (isStorageUnavailable(error)) return { ok: false, reason: "unavailable" };
      throw error;
    }
    if (!opened) return { ok: false, reason: "too_many_streams" };
    const entry: Entry = { ...stream, lastActivity: Date.now(), used: false, ended: false, timers: [] };
    this.streams.set(connectionId, entry);
    stream.response.on("close", () => this.end(entry, "client_closed"));
    const keepAlive = setInterval(() => this.write(entry, SSE_KEEP_ALIVE), this.limits.keepAliveMs);
    // Spread the re-checks of streams opened together over the interval.
    const recheck = setInterval(
      () =>
        void this.recheck(entry).catch((error: unknown) =>
          this.deps.log.error({ err: error }, "legacy SSE re-check failed"),
        ),
      this.limits.recheckMs - Math.floor(Math.random() * Math.min(1_000, this.limits.recheckMs / 10)),
    );
    entry.timers.push(keepAlive, recheck);
    for (const timer of entry.timers) timer.unref();
    return { ok: true };
  }

  /** The channel a message for `instanceId` is published on. */
  channelOf(instanceId: string): string {
    return legacySseChannel(this.deps.redis.options.keyPrefix ?? "", instanceId);
  }

  /**
   * Sends a message (or, with null, a sign of activity) to the holder of a connection, wherever it runs.
   * False when no instance listens on the holder's channel: the holder died, so its record is dropped and
   * the client's next message gets a 404 (and it reconnects).
   */
  async relay(
    holder: string,
    connection: { tenantId: string; serverId: string; connectionId: string },
    message: string | null,
  ): Promise<boolean> {
    const delivery: Delivery = { c: connection.connectionId, m: message };
    const receivers = await this.deps.redis.spublish(this.channelOf(holder), JSON.stringify(delivery));
    if (Number(receivers) > 0) return true;
    await closeLegacySseConnection(this.deps.redis, connection);
    return false;
  }

  /** Ends every stream (graceful shutdown); clients reconnect to another instance. */
  endAll(): void {
    for (const entry of [...this.streams.values()]) this.end(entry, "shutdown");
  }

  /** Closes the subscriber connection. */
  async close(): Promise<void> {
    this.endAll();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.listening = false;
    if (subscriber !== undefined) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private deliver(payload: string): void {
    let delivery: Delivery;
    try {
      delivery = JSON.parse(payload) as Delivery;
    } catch {
      return;
    }
    const entry = this.streams.get(delivery.c);
    // A stream that ended meanwhile gets nothing: no message is answered after its end.
    if (entry === undefined || entry.ended) return;
    entry.lastActivity = Date.now();
    entry.used = true;
    if (delivery.m !== null) this.write(entry, sseEvent("message", delivery.m));
  }

  private write(entry: Entry, text: string): void {
    if (entry.ended) return;
    entry.response.write(text);
    // A client that does not read: its answers would pile up in memory. Dropping the stream bounds that;
    // the client reconnects.
    if (entry.response.writableLength > this.limits.backlogBytes) this.end(entry, "backlog");
  }

  private async recheck(entry: Entry): Promise<void> {
    if (entry.ended) return;
    if (Date.now() - entry.lastActivity > this.limits.idleMs) return this.end(entry, "idle");
    const access = await this.deps.resolveAccess(entry.claims, entry.authorization);
    if (entry.ended) return;
    // While Redis cannot answer, nothing can be revoked and no message can be posted: keep the stream.
    if (!access.ok && access.reason !== "unavailable") return this.end(entry, { refused: access });
    try {
      const renewed = await renewLegacySseConnection(
        this.deps.redis,
        {
          tenantId: entry.claims.tenantId,
          serverId: entry.claims.serverId,
          connectionId: entry.connectionId,
        },
        this.limits.leaseMs,
      );
      if (!renewed) this.end(entry, "lease_lost");
    } catch (error) {
      if (!isStorageUnavailable(error)) throw error;
    }
  }

  private end(entry: Entry, end: StreamEnd): void {
    if (entry.ended) return;
    entry.ended = true;
    for (const timer of entry.timers) clearInterval(timer);
    this.streams.delete(entry.connectionId);
    if (!entry.response.writableEnded) entry.response.end();
    const { tenantId, serverId } = entry.claims;
    closeLegacySseConnection(this.deps.redis, { tenantId, serverId, connectionId: entry.connectionId }).catch(
      (error: Error) => this.deps.log.debug({ reason: error.message }, "legacy SSE record not removed"),
    );
    entry.onEnd(end, entry.used);
  }
}
