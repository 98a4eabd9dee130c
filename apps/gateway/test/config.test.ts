import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const secret = () => "generated-secret-generated-secret-0123456789";
const adminToken = "a".repeat(40);

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
    expect(result.ok && result.notices.join(" ")).toMatch(/GATEWAY_ADMIN_TOKEN is unset/);
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
    expect(result.ok && result.notices.join(" ")).toMatch(/generated keys for this run only/);
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
