import type { Migration } from "@mcp-gateway/store";
import { schemaVersion } from "./0001-schema-version.js";

/** Every migration, in id order. A new file is added here with the next id. */
export const migrations: readonly Migration[] = [schemaVersion];
