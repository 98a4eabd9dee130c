import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

export type DotEnvResult =
  | { ok: true; path: string | undefined; applied: string[] }
  | { ok: false; message: string };

// NAME=value, optionally after `export`; comments and blank lines aside, every line must look like this.
const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/;
const IGNORED = /^\s*(?:#.*)?$/;

/**
 * Reads `.env` in `cwd`, when there is one, into `env`. Variables already set in `env` (even to "") win over
 * the file, as with `node --env-file`. A malformed line is refused by number, never echoed (it may hold a secret).
 */
export function applyDotEnv(env: NodeJS.ProcessEnv, cwd: string): DotEnvResult {
  const path = join(cwd, ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: true, path: undefined, applied: [] };
    return { ok: false, message: `cannot read ${path} (${code ?? (error as Error).message})` };
  }
  const lines = text.split(/\r?\n/);
  const bad = lines.findIndex((line) => !IGNORED.test(line) && !ASSIGNMENT.test(line));
  if (bad >= 0) {
    return {
      ok: false,
      message:
        `${path} line ${bad + 1} is not NAME=value (a comment starts with #; multi-line values are not ` +
        "supported); fix or remove the line, or the file",
    };
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    applied.push(name);
  }
  return { ok: true, path, applied };
}
