import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEV_SECRETS_FILE } from "../src/dev-secrets-file.js";
import { applyDotEnv } from "../src/dotenv-file.js";
import { configFromEnv } from "../src/runtime.js";

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-gateway-env-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe(".env in the working directory", () => {
  it("fills variables the environment leaves unset; the real environment wins", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, ".env"),
      '# local settings\n\nPORT=9001\nexport LOG_LEVEL=debug\nPUBLIC_URL="https://gw.example.com" # quoted\nHOST=\n',
    );
    const env: NodeJS.ProcessEnv = { PORT: "8081", HOST: "" };
    const result = applyDotEnv(env, dir);
    expect(result).toEqual({ ok: true, path: join(dir, ".env"), applied: ["LOG_LEVEL", "PUBLIC_URL"] });
    expect(env).toEqual({
      PORT: "8081",
      HOST: "",
      LOG_LEVEL: "debug",
      PUBLIC_URL: "https://gw.example.com",
    });
  });

  it("is optional", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(applyDotEnv(env, tempDir())).toEqual({ ok: true, path: undefined, applied: [] });
    expect(env).toEqual({});
  });

  it("refuses a malformed line by number without echoing it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".env"), "PORT=9001\nGATEWAY_ADMIN_TOKEN secret-looking-value\n");
    const env: NodeJS.ProcessEnv = {};
    const result = applyDotEnv(env, dir);
    expect(result.ok).toBe(false);
    const message = result.ok ? "" : result.message;
    expect(message).toContain(`${join(dir, ".env")} line 2 is not NAME=value`);
    expect(message).not.toContain("secret-looking-value");
    expect(env).toEqual({});
  });
});

describe("development secrets kept across restarts", () => {
  it("generates them once, keeps them in a 0600 file and reuses them on the next start", () => {
    const dir = tempDir();
    const first = configFromEnv({ NODE_ENV: "development" }, { devSecretsDir: dir });
    const second = configFromEnv({}, { devSecretsDir: dir });
    if (!first.ok || !second.ok) throw new Error("config refused");
    const file = join(dir, DEV_SECRETS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".mcp-gateway")).mode & 0o777).toBe(0o700);
    expect(second.config.adminToken).toBe(first.config.adminToken);
    const exported = (c: typeof first.config) => ({
      token: c.keys.mcpTokenKeys.map((k) => [k.kid, k.key.export().toString("base64url")]),
      credential: c.keys.credentialKeys.map((k) => [k.kid, k.key.export().toString("base64url")]),
      hash: c.keys.secretHashKey.export().toString("base64url"),
    });
    expect(exported(second.config)).toEqual(exported(first.config));
    expect(first.notices.join("\n")).toMatch(/generated development values, kept in .*dev-keys\.env/);
    expect(second.notices.join("\n")).toMatch(/using the development values kept in .*dev-keys\.env/);
    expect(second.config.devSecretsFile).toBe(file);
  });

  it("keeps only what the environment leaves unset", () => {
    const dir = tempDir();
    const token = "t".repeat(40);
    const first = configFromEnv({ GATEWAY_ADMIN_TOKEN: token }, { devSecretsDir: dir });
    expect(first.ok && first.config.adminToken).toBe(token);
    const second = configFromEnv({}, { devSecretsDir: dir });
    expect(second.ok && second.config.adminToken).not.toBe(token);
    const third = configFromEnv({}, { devSecretsDir: dir });
    expect(third.ok && third.config.adminToken).toBe(second.ok && second.config.adminToken);
  });

  it("refuses a hand-edited file with a short admin token or a bad key, naming the file", () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".mcp-gateway"));
    writeFileSync(join(dir, DEV_SECRETS_FILE), "GATEWAY_ADMIN_TOKEN=short\nMCP_TOKEN_KEYS=k1:short\n");
    const result = configFromEnv({}, { devSecretsDir: dir });
    const file = join(dir, DEV_SECRETS_FILE);
    expect(result.ok ? [] : result.errors).toEqual(
      expect.arrayContaining([
        `GATEWAY_ADMIN_TOKEN in ${file} is shorter than 32 characters; delete that file to generate new development secrets`,
        `MCP_TOKEN_KEYS came from ${file}; delete that file to generate new ones`,
      ]),
    );
  });

  it("is never read or written in production or under test", () => {
    const dir = tempDir();
    const kept = configFromEnv({}, { devSecretsDir: dir });
    expect(kept.ok).toBe(true);
    const production = configFromEnv({ NODE_ENV: "production" }, { devSecretsDir: dir });
    expect(production.ok).toBe(false);
    expect(production.ok ? "" : production.errors.join("\n")).toMatch(
      /GATEWAY_ADMIN_TOKEN is required in production[\s\S]*MCP_TOKEN_KEYS is not set/,
    );
    const other = tempDir();
    expect(configFromEnv({ NODE_ENV: "test" }, { devSecretsDir: other }).ok).toBe(true);
    expect(existsSync(join(other, ".mcp-gateway"))).toBe(false);
  });
});
