import { randomBytes } from "node:crypto";
import { type Clock, LIMITS, systemClock } from "@mcp-gateway/core";
import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/** One numbered keyspace migration. `up` must be safe to re-run after a crash half-way through. */
export interface Migration {
  id: number;
  name: string;
  up(context: MigrationContext): Promise<void>;
}

export interface MigrationContext {
  redis: Redis;
  /** The client's key prefix, for SCAN patterns (ioredis does not prefix those). */
  keyPrefix: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

// Compare-and-delete and compare-and-extend: only the runner holding the lock may touch it.
const RELEASE_LOCK = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
const RENEW_LOCK = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;

/** Throws when ids are not 1..n in order, each once; a gap means a file was lost or misnumbered. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) {
      throw new Error(
        `migration "${migration.name}" has id ${migration.id}; expected ${index + 1} (ids run 1..n in order)`,
      );
    }
  });
}

/**
 * Applies every migration not yet recorded in Redis, in id order, under a lock so that instances
 * starting together apply each migration exactly once. A runner that finds the lock held waits for it.
 */
export async function runMigrations(
  redis: Redis,
  migrations: readonly Migration[],
  options: { keyPrefix: string; clock?: Clock; waitMs?: number },
): Promise<MigrationReport> {
  checkMigrationList(migrations);
  const clock = options.clock ?? systemClock;
  const token = randomBytes(16).toString("hex");
  await acquireLock(redis, token, options.waitMs ?? LIMITS.migrationLockWaitMs);
  const renew = setInterval(() => {
    void redis.eval(RENEW_LOCK, 1, keys.migrationsLock(), token, LIMITS.migrationLockTtlMs).catch(() => {});
  }, LIMITS.migrationLockRenewMs);
  try {
    const recorded = await redis.hgetall(keys.migrationsApplied());
    const report: MigrationReport = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const label = `${String(migration.id).padStart(4, "0")}-${migration.name}`;
      if (recorded[String(migration.id)] !== undefined) {
        report.alreadyApplied.push(label);
        continue;
      }
      await migration.up({ redis, keyPrefix: options.keyPrefix });
      const record = JSON.stringify({ name: migration.name, appliedAt: new Date(clock.now()).toISOString() });
      await redis.hset(keys.migrationsApplied(), String(migration.id), record);
      report.applied.push(label);
    }
    return report;
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE_LOCK, 1, keys.migrationsLock(), token);
  }
}

async function acquireLock(redis: Redis, token: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let delay = 25;
  for (;;) {
    const taken = await redis.set(keys.migrationsLock(), token, "PX", LIMITS.migrationLockTtlMs, "NX");
    if (taken === "OK") return;
    if (Date.now() >= deadline) {
      throw new Error(
        `another instance has held the migration lock for over ${waitMs} ms; if no migration is running, ` +
          `delete the key "${keys.migrationsLock()}" (under the gateway's key prefix) and start again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 500);
  }
}
