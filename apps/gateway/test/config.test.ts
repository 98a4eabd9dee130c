import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const secret = () => "generated-secret-generated-secret-0123456789";
const adminToken = "a".repeat(40);
const key32 = (): string => randomBytes(32).toString("base64url");
const devKeys = () => ({
  MCP_TOKEN_KEYS: `k1:${key32()}`,
  CREDENTIAL_KEYS: `c1:${key32()}`,
  SECRET_HASH_KEY: key32(),
});

describe("gateway configuration", () => {
  it("uses the documented defaults when nothing is set", () => {
    const result = loadConfig({}, secret);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      nodeEnv: "development",
      host: "127.0.0.1",
      port: 8080,
      publicUrl: "http://127.0.0.1:8080",
      redisUrl: "redis://127.0.0.1:6379",
      upstreamBaseUrls: { mem0: "https://api.mem0.ai" },
      logLevel: "info",
    });
    expect(Object.isFrozen(result.config)).toBe(true);
  });

  it("keeps logs 30 days, records MCP requests and has no metrics route unless told otherwise", () => {
    const result = loadConfig({}, secret);
    expect(result.ok && result.config).toMatchObject({
      logRetentionMs: 30 * 86_400_000,
      mcpRequestLog: true,
      metricsToken: undefined,
      metricsListen: undefined,
    });
    const set = loadConfig(
      {
        LOG_RETENTION_DAYS: "7",
        MCP_REQUEST_LOG: "off",
        METRICS_TOKEN: "m".repeat(32),
        METRICS_PORT: "9464",
      },
      secret,
    );
    expect(set.ok && set.config).toMatchObject({
      logRetentionMs: 7 * 86_400_000,
      mcpRequestLog: false,
      metricsToken: "m".repeat(32),
      metricsListen: { host: "127.0.0.1", port: 9464 },
    });
  });

  it("refuses a retention of no days and a short metrics token, naming each", () => {
    const result = loadConfig({ LOG_RETENTION_DAYS: "0", METRICS_TOKEN: "short" }, secret);
    const errors = result.ok ? "" : result.errors.join("\n");
    expect(errors).toMatch(/LOG_RETENTION_DAYS must be a whole number of days/);
    expect(errors).toMatch(/METRICS_TOKEN must be at least 32 characters/);
  });

  it("generates an admin token in development and says so", () => {
    const result = loadConfig({ NODE_ENV: "development" }, secret);
    expect(result.ok && result.config.adminToken).toBe(secret());
    expect(result.ok && result.notices.join(" ")).toMatch(/GATEWAY_ADMIN_TOKEN.* unset: generated/);
  });

  it("refuses to start in production without an admin token and keys, naming each", () => {
    const result = loadConfig({ NODE_ENV: "production" }, secret);
    expect(result.ok).toBe(false);
    const errors = result.ok ? "" : result.errors.join("\n");
    expect(errors).toMatch(/GATEWAY_ADMIN_TOKEN is required in production/);
    expect(errors).toMatch(/MCP_TOKEN_KEYS/);
    expect(errors).toMatch(/CREDENTIAL_KEYS/);
    expect(errors).toMatch(/SECRET_HASH_KEY/);
  });

  it("generates keys in development and says that they last one run", () => {
    const result = loadConfig({}, secret);
    expect(result.ok && result.config.keysGenerated).toBe(true);
    expect(result.ok && result.notices.join(" ")).toMatch(
      /MCP_TOKEN_KEYS, CREDENTIAL_KEYS and SECRET_HASH_KEY are unset: generated development values, for this run only/,
    );
  });

  it("generates only the keys that are missing in development, naming them, and keeps the one set", () => {
    const set = devKeys();
    const result = loadConfig(
      { MCP_TOKEN_KEYS: set.MCP_TOKEN_KEYS, GATEWAY_ADMIN_TOKEN: adminToken },
      secret,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.keys.mcpTokenKeys[0].kid).toBe("k1");
    expect(result.config.keysGenerated).toBe(true);
    expect(result.config.adminTokenGenerated).toBe(false);
    expect(result.notices).toEqual([
      expect.stringMatching(/^CREDENTIAL_KEYS and SECRET_HASH_KEY are unset: generated development values/),
    ]);
    expect(Object.keys(result.generated).sort()).toEqual(["CREDENTIAL_KEYS", "SECRET_HASH_KEY"]);
  });

  it("still refuses to start in production with only some keys, naming the missing ones", () => {
    const set = devKeys();
    const result = loadConfig(
      { NODE_ENV: "production", GATEWAY_ADMIN_TOKEN: adminToken, MCP_TOKEN_KEYS: set.MCP_TOKEN_KEYS },
      secret,
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? "" : result.errors.join("\n");
    expect(errors).toMatch(/CREDENTIAL_KEYS is not set/);
    expect(errors).toMatch(/SECRET_HASH_KEY is not set/);
    expect(errors).not.toMatch(/MCP_TOKEN_KEYS/);
  });

  it("hints a complete, pasteable kid:key value for the key list variables", () => {
    const result = loadConfig({ NODE_ENV: "production", GATEWAY_ADMIN_TOKEN: adminToken }, secret);
    const errors = result.ok ? [] : result.errors;
    for (const name of ["MCP_TOKEN_KEYS", "CREDENTIAL_KEYS"]) {
      const message = errors.find((e) => e.startsWith(`${name} is not set`)) ?? "";
      const hint = /node -e "(.*)"$/.exec(message)?.[1] ?? "";
      const printed = execFileSync(process.execPath, ["-e", hint], { encoding: "utf8" }).trim();
      expect(printed).toMatch(/^k1:[A-Za-z0-9_-]{43}$/);
      expect(loadConfig({ ...devKeys(), [name]: printed }, secret).ok).toBe(true);
    }
  });

  it("refuses malformed key material without echoing it", () => {
    const result = loadConfig(
      { MCP_TOKEN_KEYS: "k1:tooshort", CREDENTIAL_KEYS: "c1:alsotooshort", SECRET_HASH_KEY: "x" },
      secret,
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? "" : result.errors.join("\n");
    expect(errors).toMatch(/MCP_TOKEN_KEYS/);
    expect(errors).not.toContain("tooshort");
  });

  it.each([
    [{ PORT: "eighty" }, /PORT must be a whole number/],
    [{ PORT: "70000" }, /PORT must be a whole number/],
    [{ REDIS_URL: "http://localhost:6379" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ PUBLIC_URL: "ftp://gw.example.com" }, /PUBLIC_URL must be an http\(s\) URL/],
    [{ MEM0_BASE_URL: "not a url" }, /MEM0_BASE_URL must be an http\(s\) URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/],
    [{ NODE_ENV: "staging" }, /NODE_ENV must be development, production or test/],
    [{ GATEWAY_ADMIN_TOKEN: "short" }, /GATEWAY_ADMIN_TOKEN must be at least 32 characters/],
  ])("names the variable and the fix for %o", (env, message) => {
    const result = loadConfig({ GATEWAY_ADMIN_TOKEN: adminToken, ...env }, secret);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toContainEqual(expect.stringMatching(message));
  });

  it("derives the public URL from HOST and PORT and trims a trailing slash from an explicit one", () => {
    const derived = loadConfig({ HOST: "0.0.0.0", PORT: "9000", GATEWAY_ADMIN_TOKEN: adminToken }, secret);
    expect(derived.ok && derived.config.publicUrl).toBe("http://0.0.0.0:9000");
    const explicit = loadConfig(
      { PUBLIC_URL: "https://gw.example.com/", GATEWAY_ADMIN_TOKEN: adminToken },
      secret,
    );
    expect(explicit.ok && explicit.config.publicUrl).toBe("https://gw.example.com");
  });

  it("treats empty variables as unset", () => {
    const result = loadConfig({ PORT: "", LOG_LEVEL: "" }, secret);
    expect(result.ok && result.config.port).toBe(8080);
  });
});

describe("MCP allowed origins", () => {
  it("parses a comma-separated list and refuses anything that is not an origin", () => {
    const ok = loadConfig({ MCP_ALLOWED_ORIGINS: "https://claude.ai, http://localhost:6274" }, secret);
    expect(ok.ok && ok.config.mcpAllowedOrigins).toEqual(["https://claude.ai", "http://localhost:6274"]);
    const bad = loadConfig({ MCP_ALLOWED_ORIGINS: "claude.ai/path" }, secret);
    expect(bad.ok ? [] : bad.errors).toContainEqual(
      expect.stringMatching(/MCP_ALLOWED_ORIGINS must be a comma-separated list/),
    );
  });
});
