import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/processes.js";

// `npm start` and `npm run dev` run main.ts in the caller's working directory; here that is a temp dir.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startIn(dotEnv: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mcp-gateway-dotenv-"));
  dirs.push(dir);
  writeFileSync(join(dir, ".env"), dotEnv);
  const run = spawnSync(
    process.execPath,
    [
      "--conditions=@mcp-gateway/source",
      "--import",
      join(repoRoot, "node_modules/tsx/dist/loader.mjs"),
      join(repoRoot, "apps/gateway/src/main.ts"),
    ],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      encoding: "utf8",
    },
  );
  return { dir, status: run.status, stderr: run.stderr };
}

describe("the gateway process and .env", () => {
  it("exits 1 with the file and line of a malformed .env", () => {
    const run = startIn("PORT=9001\nnot an assignment\n");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`mcp-gateway: ${join(run.dir, ".env")} line 2 is not NAME=value`);
  }, 60_000);

  it("reads .env, and the real environment wins over it", () => {
    const run = startIn("NODE_ENV=production\nPORT=eighty\n", { PORT: "9001" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("GATEWAY_ADMIN_TOKEN is required in production");
    expect(run.stderr).not.toContain("PORT");
    expect(existsSync(join(run.dir, ".mcp-gateway"))).toBe(false);
  }, 60_000);
});
