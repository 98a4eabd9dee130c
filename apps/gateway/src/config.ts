import { generateDevKeyMaterial, type KeyMaterial, parseKeyMaterial } from "@mcp-gateway/core";
import type { RedisConnection } from "@mcp-gateway/store";
import { z } from "zod";
import {
  parseRedisConfig,
  type ReadConfigFile,
  type RedisWriteAcks,
  readConfigFile,
} from "./redis-config.js";

/** The gateway's configuration, parsed once from the environment at start and frozen. */
export interface GatewayConfig {
  readonly nodeEnv: "development" | "production" | "test";
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  /** False when publicUrl was derived from HOST and PORT (then PORT=0 is resolved to the real port at start). */
  readonly publicUrlExplicit: boolean;
  readonly redisUrl: string;
  /** Redis topology, passwords and TLS (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS; REDIS_TLS_*). */
  readonly redis: RedisConnection;
  /** How writes that grant or take away access are acknowledged (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). */
  readonly redisWriteAcks: RedisWriteAcks;
  readonly redisKeyPrefix: string;
  readonly adminToken: string;
  /** True when adminToken was generated at start because GATEWAY_ADMIN_TOKEN was unset (development only). */
  readonly adminTokenGenerated: boolean;
  /** Upstream base URL per integration name, for integrations whose base is configurable (MEM0_BASE_URL). */
  readonly upstreamBaseUrls: Readonly<Record<string, string>>;
  /** Origins a browser-based MCP client may call /mcp from; requests without an Origin header are always allowed. */
  readonly mcpAllowedOrigins: readonly string[];
  /** Whether 2025-era tools/list and tools/call are answered by the gateway itself (faster) or by the SDK. */
  readonly mcpDirectAnswers: boolean;
  /** MCP token signing keys, credential sealing keys and the secret hashing key. */
  readonly keys: KeyMaterial;
  /** True when the keys were generated at start because none were set (development only). */
  readonly keysGenerated: boolean;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** How long MCP request and admin change records are kept (LOG_RETENTION_DAYS), in ms. */
  readonly logRetentionMs: number;
  /** Whether MCP requests are recorded for `GET /log?log_type=mcp` (MCP_REQUEST_LOG; the audit trail is always on). */
  readonly mcpRequestLog: boolean;
  /** The bearer token `GET /metrics` answers to; undefined = /metrics answers 404 (METRICS_TOKEN). */
  readonly metricsToken: string | undefined;
  /** A separate listen address for /metrics only (METRICS_HOST, METRICS_PORT); undefined = none. */
  readonly metricsListen: { readonly host: string; readonly port: number } | undefined;
}

export type ConfigResult =
  | { ok: true; config: GatewayConfig; notices: string[] }
  | { ok: false; errors: string[] };

const httpUrl = (name: string) =>
  z.url({
    protocol: /^https?$/,
    error: `${name} must be an http(s) URL such as https://gateway.example.com`,
  });

const portNumber = z.coerce
  .number({ error: "PORT must be a whole number from 0 to 65535" })
  .int("PORT must be a whole number from 0 to 65535")
  .min(0, "PORT must be a whole number from 0 to 65535")
  .max(65535, "PORT must be a whole number from 0 to 65535");

const envSchema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], {
      error: "NODE_ENV must be development, production or test",
    })
    .default("development"),
  HOST: z.string().min(1, "HOST must not be empty").default("127.0.0.1"),
  PORT: portNumber.default(8080),
  PUBLIC_URL: httpUrl("PUBLIC_URL").optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, "REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379")
    .default("redis://127.0.0.1:6379"),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{0,64}$/, "REDIS_KEY_PREFIX may hold up to 64 letters, digits and _ . : -")
    .default("mcpg:"),
  GATEWAY_ADMIN_TOKEN: z
    .string()
    .min(
      32,
      "GATEWAY_ADMIN_TOKEN must be at least 32 characters (generate one with: openssl rand -base64 32)",
    )
    .optional(),
  MEM0_BASE_URL: httpUrl("MEM0_BASE_URL").default("https://api.mem0.ai"),
  MCP_ALLOWED_ORIGINS: z
    .string()
    .regex(
      /^(https?:\/\/[^\s,/]+)(,\s*https?:\/\/[^\s,/]+)*$/,
      "MCP_ALLOWED_ORIGINS must be a comma-separated list of origins such as https://claude.ai,https://app.example.com",
    )
    .optional(),
  MCP_DIRECT_ANSWERS: z
    .enum(["on", "off"], {
      error: "MCP_DIRECT_ANSWERS must be on or off",
    })
    .default("on"),
  LOG_RETENTION_DAYS: z.coerce
    .number({ error: "LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650" })
    .int("LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650")
    .min(1, "LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650")
    .max(3650, "LOG_RETENTION_DAYS must be a whole number of days from 1 to 3650")
    .default(30),
  MCP_REQUEST_LOG: z.enum(["on", "off"], { error: "MCP_REQUEST_LOG must be on or off" }).default("on"),
  METRICS_TOKEN: z
    .string()
    .min(32, "METRICS_TOKEN must be at least 32 characters (generate one with: openssl rand -base64 32)")
    .regex(/^[\x21-\x7e]+$/, "METRICS_TOKEN may hold only printable ASCII characters without spaces")
    .max(512, "METRICS_TOKEN must be at most 512 characters")
    .optional(),
  METRICS_HOST: z.string().min(1, "METRICS_HOST must not be empty").default("127.0.0.1"),
  METRICS_PORT: z.coerce
    .number({ error: "METRICS_PORT must be a whole number from 0 to 65535" })
    .int("METRICS_PORT must be a whole number from 0 to 65535")
    .min(0, "METRICS_PORT must be a whole number from 0 to 65535")
    .max(65535, "METRICS_PORT must be a whole number from 0 to 65535")
    .optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
});

/**
 * Parses the environment into a frozen config. Never throws: bad values come back as messages that name the
 * variable and say what to set. `generateSecret` is injected so development can create missing secrets.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  generateSecret: () => string,
  readFile: ReadConfigFile = readConfigFile,
): ConfigResult {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => issue.message) };
  }
  const e = parsed.data;
  const errors: string[] = [];
  const notices: string[] = [];
  let adminToken = e.GATEWAY_ADMIN_TOKEN;
  let adminTokenGenerated = false;
  if (adminToken === undefined) {
    if (e.NODE_ENV === "production") {
      errors.push(
        "GATEWAY_ADMIN_TOKEN is required in production (generate one with: openssl rand -base64 32)",
      );
    } else {
      adminToken = generateSecret();
      adminTokenGenerated = true;
      notices.push("GATEWAY_ADMIN_TOKEN is unset: generated a one-off admin token for this development run");
    }
  }
  const keyEnv = {
    MCP_TOKEN_KEYS: env.MCP_TOKEN_KEYS,
    CREDENTIAL_KEYS: env.CREDENTIAL_KEYS,
    SECRET_HASH_KEY: env.SECRET_HASH_KEY,
  };
  const noKeysSet = Object.values(keyEnv).every((value) => value === undefined || value === "");
  let keysGenerated = false;
  let keyResult = parseKeyMaterial(keyEnv);
  if (noKeysSet && e.NODE_ENV !== "production") {
    keyResult = parseKeyMaterial(generateDevKeyMaterial());
    keysGenerated = true;
    notices.push(
      "MCP_TOKEN_KEYS, CREDENTIAL_KEYS and SECRET_HASH_KEY are unset: generated keys for this run only; " +
        "MCP URLs, API tokens and stored credentials made now stop working when the gateway restarts",
    );
  }
  if (!keyResult.ok) errors.push(...keyResult.problems);
  const redis = parseRedisConfig(cleaned, e.REDIS_URL, readFile);
  if (!redis.ok) errors.push(...redis.errors);
  if (errors.length > 0 || adminToken === undefined || !keyResult.ok || !redis.ok)
    return { ok: false, errors };
  const publicUrl = (e.PUBLIC_URL ?? derivedPublicUrl(e.HOST, e.PORT)).replace(/\/+$/, "");
  const config: GatewayConfig = Object.freeze({
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    publicUrlExplicit: e.PUBLIC_URL !== undefined,
    redisUrl: e.REDIS_URL,
    redis: redis.connection,
    redisWriteAcks: redis.writeAcks,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    adminToken,
    adminTokenGenerated,
    upstreamBaseUrls: Object.freeze({ mem0: e.MEM0_BASE_URL.replace(/\/+$/, "") }),
    mcpAllowedOrigins: Object.freeze(
      (e.MCP_ALLOWED_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
    mcpDirectAnswers: e.MCP_DIRECT_ANSWERS === "on",
    keys: keyResult.material,
    keysGenerated,
    logLevel: e.LOG_LEVEL,
    logRetentionMs: e.LOG_RETENTION_DAYS * 86_400_000,
    mcpRequestLog: e.MCP_REQUEST_LOG === "on",
    metricsToken: e.METRICS_TOKEN,
    metricsListen: e.METRICS_PORT === undefined ? undefined : { host: e.METRICS_HOST, port: e.METRICS_PORT },
  });
  return { ok: true, config, notices };
}

/** `http://HOST:PORT`, the public URL derived when PUBLIC_URL is unset. */
export function derivedPublicUrl(host: string, port: number): string {
  return `http://${formatHost(host)}:${port}`;
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
