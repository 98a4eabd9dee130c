import { afterEach, describe, expect, it } from "vitest";
import { type ProcessHandle, runTsEntry } from "../../../test/support/processes.js";

describe("npm run sandbox (main.ts)", () => {
  let sandbox: ProcessHandle | undefined;
  afterEach(async () => {
    if (sandbox && sandbox.child.exitCode === null) {
      sandbox.child.kill("SIGKILL");
      await sandbox.exited;
    }
  });

  it("generates and prints a dev key when none is configured, serves it, and exits 0 on SIGTERM", async () => {
    sandbox = runTsEntry("apps/mem0-sandbox/src/main.ts", { PORT: "0" });
    const url = (await sandbox.waitForLine(/listening on http/)).replace(/.*listening on /, "").trim();
    const key = (await sandbox.waitForLine(/Generated dev API key/)).split(": ").at(-1)!.trim();
    const ping = await fetch(`${url}/v1/ping/`, { headers: { authorization: `Token ${key}` } });
    expect(ping.status).toBe(200);
    sandbox.child.kill("SIGTERM");
    expect(await sandbox.exited).toBe(0);
  });

  it("accepts the configured keys, each bound to its own project, and applies env rate limits and faults", async () => {
    sandbox = runTsEntry("apps/mem0-sandbox/src/main.ts", {
      PORT: "0",
      MEM0_SANDBOX_API_KEYS: "m0-one, m0-two",
      MEM0_SANDBOX_RATE_LIMIT: "2/60",
      MEM0_SANDBOX_FAULTS: JSON.stringify([{ path: "/v1/stats/", status: 502 }]),
    });
    const url = (await sandbox.waitForLine(/listening on http/)).replace(/.*listening on /, "").trim();
    const ping = async (key: string) =>
      fetch(`${url}/v1/ping/`, { headers: { authorization: `Token ${key}` } });
    const one = (await (await ping("m0-one")).json()) as { project_id: string };
    const two = (await (await ping("m0-two")).json()) as { project_id: string };
    expect(one.project_id).not.toBe(two.project_id);
    expect((await ping("m0-one")).status).toBe(200);
    expect((await ping("m0-one")).status).toBe(429);
    expect((await fetch(`${url}/v1/stats/`)).status).toBe(502);
    sandbox.child.kill("SIGINT");
    expect(await sandbox.exited).toBe(0);
  });

  it("refuses a malformed MEM0_SANDBOX_RATE_LIMIT with a message", async () => {
    sandbox = runTsEntry("apps/mem0-sandbox/src/main.ts", { PORT: "0", MEM0_SANDBOX_RATE_LIMIT: "lots" });
    expect(await sandbox.exited).toBe(2);
    expect(sandbox.output()).toContain("MEM0_SANDBOX_RATE_LIMIT must look like");
  });
});
