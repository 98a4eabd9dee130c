import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { repoRoot } from "../../../test/support/processes.js";
import { useTestRedis } from "../../../test/support/redis.js";

// The README's "Try it" walk-through is what a new user pastes first: this runs that very shell block, as
// written, against a real gateway and sandbox (only GW, ADMIN and MEM0_KEY differ, through the block's own
// ${VAR:-default} fallbacks).

/** The pasteable block of the README's "Try it" section: the one that sets GW. */
function tryItBlock(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Try it\n"), readme.indexOf("### Admin API\n"));
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const block = blocks.find((b) => b.startsWith("GW="));
  if (block === undefined) throw new Error("README: no ```bash block starting with GW= under ## Try it");
  return block;
}

function runBash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("README: Try it", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("runs top to bottom as pasted against a gateway and the sandbox", async () => {
    const run = await runBash(tryItBlock(), {
      GW: stack.gatewayUrl,
      ADMIN: stack.config.adminToken,
      MEM0_KEY: stack.sandbox.apiKeys[0] ?? "",
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('"url":"http://127.0.0.1:');
    expect(run.stdout).toContain("list_all_mem_0_memories"); // tools/list over the minted URL
    expect(run.stdout).toMatch(/\{"id":"mcp_[a-z0-9]+"\}\s*$/); // the DELETE's answer, last
  });
});
