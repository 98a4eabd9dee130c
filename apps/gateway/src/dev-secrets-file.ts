import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseEnv } from "node:util";
import { DEV_SECRET_NAMES, type DevSecrets } from "./config.js";

/** Where development keeps the secrets it generated, relative to the working directory (git-ignored). */
export const DEV_SECRETS_FILE = join(".mcp-gateway", "dev-keys.env");

/**
 * Whether an environment keeps development secrets in a file: only NODE_ENV development or unset. Never in
 * production (which requires real secrets) nor under test (tests pass their own and must not write files).
 */
export function usesDevSecretsFile(nodeEnv: string | undefined): boolean {
  return nodeEnv === undefined || nodeEnv === "" || nodeEnv === "development";
}

/** The secrets kept by an earlier development start; none when the file does not exist. */
export function readDevSecrets(
  path: string,
): { ok: true; kept: DevSecrets } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: true, kept: {} };
    return { ok: false, message: `cannot read ${path} (${code ?? (error as Error).message})` };
  }
  const parsed = parseEnv(text);
  const kept: DevSecrets = {};
  for (const name of DEV_SECRET_NAMES) if (parsed[name]) kept[name] = parsed[name];
  return { ok: true, kept };
}

/** Writes the kept and newly generated secrets, readable by the owner only (0600, in a 0700 directory). */
export function writeDevSecrets(path: string, secrets: DevSecrets): void {
  const lines = [
    "# mcp-gateway development secrets, generated at a development start and reused by the next ones.",
    "# For development only: production never reads this file. Delete it to start afresh (every MCP URL,",
    "# API token and stored credential made with these values then stops working).",
    ...DEV_SECRET_NAMES.flatMap((name) => (secrets[name] ? [`${name}=${secrets[name]}`] : [])),
    "",
  ];
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, lines.join("\n"), { mode: 0o600 });
  // `mode` applies only when the file is created; an existing file may have been made wider by hand.
  chmodSync(path, 0o600);
}
