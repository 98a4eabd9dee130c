/**
 * The key schema. Keys are relative: the client's `keyPrefix` (REDIS_KEY_PREFIX, default "mcpg:") is
 * prepended by ioredis. docs/storage-schema.md lists every key with its TTL and writer.
 */
export const keys = {
  /** Hash: migration id -> JSON {name, appliedAt}. */
  migrationsApplied: () => "meta:migrations",
  /** String holding the current runner's random token; PX = LIMITS.migrationLockTtlMs. */
  migrationsLock: () => "meta:migrations:lock",
  /** String: the keyspace format version, written by migration 0001. */
  schemaVersion: () => "meta:schema-version",
} as const;
