import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../../test/support/processes.js";

// Operators stop what they started by PID: a signal sent to the `npm run …` process must reach the node
// process behind it (the scripts `exec` node after the build), and the demo must take its children along.

/** Every live descendant of `pid`, read from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {} // gone between readdir and read
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm scripts and signals", () => {
  let npm: ChildProcess | undefined;
  afterEach(() => {
    if (npm?.pid !== undefined && npm.exitCode === null && npm.signalCode === null) npm.kill("SIGKILL");
  });

  it("SIGINT to the `npm run demo` process stops the demo, its sandbox and its Redis", async () => {
    npm = spawn("npm", ["run", "--silent", "demo", "--", "--json"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = npm;
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | string>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve();
      });
      void exited.then((code) => reject(new Error(`npm run demo exited (${code}) early:\n${stderr}`)));
    });
    expect(JSON.parse(stdout)).toHaveProperty("mcp_url");

    const tree = descendantsOf(child.pid ?? -1);
    // node (the demo, exec'd in place of the shell), redis-server and the sandbox's node at least.
    expect(tree.length, stderr).toBeGreaterThanOrEqual(3);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("mcp-gateway demo: stopped.");
    expect(tree.filter(isAlive)).toEqual([]);
  }, 180_000);
});
