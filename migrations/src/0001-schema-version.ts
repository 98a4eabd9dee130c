import { keys, type Migration } from "@mcp-gateway/store";

/** Records the keyspace format version, so later migrations and operators can tell what a Redis holds. */
export const schemaVersion: Migration = {
  id: 1,
  name: "schema-version",
  async up({ redis }) {
    await redis.set(keys.schemaVersion(), "1");
  },
};
