import type { Cluster, Redis } from "ioredis";
import { guardSilenceTimer } from "./redis.js";

/** How writes that grant or take away access are acknowledged: WAIT for `replicas` replicas, at most `timeoutMs`. */
export interface WriteAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** A write was applied on the master but fewer replicas than required confirmed it in time (answered 503). */
export class NotReplicatedError extends Error {
  override readonly name = "NotReplicatedError";
  constructor(wanted: number, got: number, timeoutMs: number) {
    super(`No replica acknowledged the write in time: ${got} of ${wanted} within ${timeoutMs} ms`);
  }
}

/**
 * Runs writes that grant or take away access (mint, narrow, revoke, deletions, API tokens, tenants) so
 * that they are answered only once a replica holds them, and so survive a failover. Redis replication
 * is asynchronous: without this, a master that fails right after answering takes the write with it,
 * and a revoked URL works again on the promoted replica.
 */
export interface AcknowledgedWrites {
  /**
   * Runs `write` on the acknowledged-writes connection, then WAITs until the configured number of
   * replicas hold everything it wrote; throws NotReplicatedError otherwise. `touched` names at least one
   * key of every hash slot `write` writes to (a Cluster needs a WAIT on each master written).
   */
  commit<T>(touched: readonly string[], write: (redis: Redis) => Promise<T>): Promise<T>;
}

/**
 * Builds the acknowledged-writes runner over `main`. With `replicas` 0 writes go through `main` as they
 * are. Otherwise they go through a second connection (a duplicate of `main`, closed when `main` ends):
 * WAIT blocks the connection it is sent on until the replicas answer, and it must be sent on the
 * connection that wrote, so the MCP endpoint's reads never queue behind it.
 */
export function createAcknowledgedWrites(main: Redis, acks: WriteAcks): AcknowledgedWrites {
  if (acks.replicas === 0) return { commit: (_touched, write) => write(main) };
  const durable: Redis = main.isCluster
    ? ((main as unknown as Cluster).duplicate(undefined, {}) as unknown as Redis)
    : main.duplicate({ connectionName: "mcp-gateway-acked" });
  guardSilenceTimer(durable);
  durable.on("error", () => {}); // the main connection logs outages; this one reconnects quietly
  main.once("end", () => durable.disconnect());
  let connecting: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    if (durable.status === "ready") return Promise.resolve();
    if (durable.status === "wait" || durable.status === "end") {
      connecting ??= durable.connect().finally(() => {
        connecting = undefined;
      });
    }
    return connecting ?? Promise.resolve();
  };
  const check = (got: number): void => {
    if (got < acks.replicas) throw new NotReplicatedError(acks.replicas, got, acks.timeoutMs);
  };
  return {
    async commit(touched, write) {
      await ready();
      const result = await write(durable);
      if (!durable.isCluster) {
        check(await durable.wait(acks.replicas, acks.timeoutMs));
        return result;
      }
      // WAIT has no key, so a Cluster client would send it to any node: a pipeline with a keyed command
      // goes to the master of that key's slot, on the same connection the write used.
      await Promise.all(
        [...new Set(touched)].map(async (key) => {
          const replies =
            (await durable.pipeline().exists(key).wait(acks.replicas, acks.timeoutMs).exec()) ?? [];
          // A redirected EXISTS means the WAIT beside it ran on a node that no longer serves the slot.
          const [routeError] = replies[0] ?? [new Error("the pipeline got no reply")];
          const [error, got] = replies[1] ?? [new Error("WAIT got no reply")];
          if (routeError) throw routeError;
          if (error) throw error;
          check(Number(got));
        }),
      );
      return result;
    },
  };
}
