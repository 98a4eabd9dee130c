import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A child process with its output collected and a way to wait for a line. */
export interface ProcessHandle {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** stdout alone. */
  stdout(): string;
  /** Resolves with the first output line matching `pattern` (already printed lines count). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Runs a TypeScript entry point of this repo with tsx and the "@mcp-gateway/source" export condition, so tests run the
 * current sources without a build step.
 */
export function runTsEntry(
  entry: string,
  env: Record<string, string | undefined>,
  args: readonly string[] = [],
): ProcessHandle {
  const child = spawn(
    process.execPath,
    ["--conditions=@mcp-gateway/source", "--import", "tsx", entry, ...args],
    {
      cwd: repoRoot,
      // NODE_ENV=test unless a test says otherwise: a development gateway started here would keep its generated
      // secrets in .mcp-gateway/ inside the repository.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let text = "";
  let stdoutText = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onChunk = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const line = text.split("\n").find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdoutText += chunk.toString();
  });
  child.stdout?.on("data", onChunk);
  child.stderr?.on("data", onChunk);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return {
    child,
    output: () => text,
    stdout: () => stdoutText,
    exited,
    waitForLine(pattern) {
      const line = text.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) =>
          reject(new Error(`process exited (${code}) before printing ${pattern}:\n${text}`)),
        );
      });
    },
  };
}
