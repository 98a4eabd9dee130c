/**
 * A stream of acknowledged access changes against a test stack while a failover happens, and the count
 * of what was lost afterwards: tenants created (201) that are gone, URLs revoked (200) that answer again.
 */
import type { TestStack } from "./gateway.js";

export interface FailoverFigures {
  tenantsAcknowledged: number;
  tenantsLost: number;
  revocationsAcknowledged: number;
  revokedServedAgain: number;
  mintsAcknowledged: number;
  mintsLost: number;
  /** Status code -> count over every write of the stream. */
  statuses: Record<string, number>;
  /** /readyz answers seen while the stream ran (status -> count). */
  readiness: Record<string, number>;
}

export async function mcpStatus(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Runs creations, mints and revocations in a loop until `failover()` has resolved and `settleMs` more has
 * passed, then (once /readyz answers 200 again) checks every acknowledged change.
 */
export async function runFailoverStream(
  stack: TestStack,
  options: { failover: () => Promise<void>; leadMs: number; settleMs: number; servers: number },
): Promise<FailoverFigures> {
  const { apiToken } = await stack.createTenant("Failover");
  const accountId = await stack.connectMem0(apiToken);
  const toRevoke: { id: string; url: string }[] = [];
  for (let i = 0; i < options.servers; i++) {
    const minted = await stack.mint(apiToken, accountId, { name: `s${i}`, config: { methods: ["read"] } });
    toRevoke.push({ id: minted.id, url: minted.url });
  }
  const figures: FailoverFigures = {
    tenantsAcknowledged: 0,
    tenantsLost: 0,
    revocationsAcknowledged: 0,
    revokedServedAgain: 0,
    mintsAcknowledged: 0,
    mintsLost: 0,
    statuses: {},
    readiness: {},
  };
  const tenants: string[] = [];
  const revoked: string[] = [];
  const minted: string[] = [];
  const count = (bucket: Record<string, number>, status: number): void => {
    bucket[status] = (bucket[status] ?? 0) + 1;
  };
  let stop = false;
  const admin = stack.config.adminToken;
  const creator = async (): Promise<void> => {
    while (!stop) {
      const created = await stack
        .call("POST", "/tenants", { token: admin, body: { name: "t" } })
        .catch(() => undefined);
      count(figures.statuses, created?.status ?? 0);
      if (created?.status === 201) tenants.push(created.body.id);
      await pause(20);
    }
  };
  const revoker = async (): Promise<void> => {
    while (!stop) {
      const server = toRevoke.shift();
      if (server === undefined) return;
      const path = `/integrated-account/${accountId}/mcp/${server.id}`;
      const answer = await stack.call("DELETE", path, { token: apiToken }).catch(() => undefined);
      count(figures.statuses, answer?.status ?? 0);
      if (answer?.status === 200) revoked.push(server.url);
      else toRevoke.push(server); // not acknowledged: try again later
      await pause(40);
    }
  };
  const minter = async (): Promise<void> => {
    while (!stop) {
      const answer = await stack
        .call("POST", `/integrated-account/${accountId}/mcp`, {
          token: apiToken,
          body: { name: "m", config: { methods: ["read"] } },
        })
        .catch(() => undefined);
      count(figures.statuses, answer?.status ?? 0);
      if (answer?.status === 201) minted.push(answer.body.url);
      await pause(40);
    }
  };
  const prober = async (): Promise<void> => {
    while (!stop) {
      const ready = await stack.call("GET", "/readyz").catch(() => undefined);
      count(figures.readiness, ready?.status ?? 0);
      await pause(100);
    }
  };
  const workers = [creator(), revoker(), minter(), prober()];
  await pause(options.leadMs);
  await options.failover();
  await pause(options.settleMs);
  stop = true;
  await Promise.all(workers);

  // Wait until the gateway can read again, then check every acknowledged change.
  const deadline = Date.now() + 20_000;
  while ((await stack.call("GET", "/readyz")).status !== 200) {
    if (Date.now() > deadline) throw new Error("the gateway did not become ready after the failover");
    await pause(200);
  }
  for (const id of tenants) {
    const found = await stack.call("GET", `/tenants/${id}`, { token: admin });
    if (found.status !== 200) figures.tenantsLost++;
  }
  for (const url of revoked) if ((await mcpStatus(url)) !== 404) figures.revokedServedAgain++;
  for (const url of minted) if ((await mcpStatus(url)) !== 200) figures.mintsLost++;
  figures.tenantsAcknowledged = tenants.length;
  figures.revocationsAcknowledged = revoked.length;
  figures.mintsAcknowledged = minted.length;
  return figures;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
