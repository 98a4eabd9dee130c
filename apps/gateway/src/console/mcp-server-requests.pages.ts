import type { FastifyInstance } from "fastify";
import { recentMcpRequests } from "../log/log.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { html } from "./html.js";
import { layout } from "./layout.js";
import { sendPage } from "./security.js";
import { serverOfPage } from "./server-page.js";
import { sendNotFound, sessionOf } from "./session-hooks.js";
import { as } from "./views.js";

/** How many of a server's newest requests its page shows (the full log is GET /log). */
const RECENT_REQUESTS = 50;

/** One record of the request log as the page reads it (see the log's views). */
interface RequestRow {
  created_at: string;
  request_id: string;
  mcp_method: string | null;
  tool_name: string | null;
  outcome: string;
  reason: string | null;
  http_status: number;
  duration_ms: number;
  upstream_status: number | null;
  client_name: string | null;
  client_version: string | null;
}

/** An MCP server's "Recent requests" page: the newest entries of its request log. */
export async function mcpServerRequestPages(
  app: FastifyInstance,
  { ctx }: { ctx: ServiceContext },
): Promise<void> {
  app.get<{ Params: { id: string; sid: string } }>(
    "/accounts/:id/servers/:sid/requests",
    async (request, reply) => {
      const session = sessionOf(request);
      const page = await serverOfPage(ctx, request);
      if (page === undefined) return sendNotFound(reply, session);
      const { tenantId, account, server } = page;
      const rows = (await recentMcpRequests(ctx, tenantId, server.id, RECENT_REQUESTS)).map((r) =>
        as<RequestRow>(r),
      );
      const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>Recent requests to “${server.name}”</h1>
      ${
        rows.length === 0
          ? html`<p class="card">No requests yet. Each request made with this server's URL shows up here.</p>`
          : html`<table>
        <caption class="muted small">The ${RECENT_REQUESTS} newest requests, newest first; never their arguments or results</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Tool</th><th scope="col">Outcome</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Client</th><th scope="col">Request id</th></tr></thead>
        <tbody>${rows.map(
          (r) => html`<tr>
            <td>${r.created_at.slice(0, 19).replace("T", " ")} UTC</td>
            <td><code>${r.mcp_method ?? "–"}</code></td>
            <td>${r.tool_name === null ? "–" : html`<code>${r.tool_name}</code>`}</td>
            <td>${r.outcome}${r.reason !== null && html` <span class="muted small">(${r.reason})</span>`}</td>
            <td>${r.http_status}${r.upstream_status !== null && html` <span class="muted small">(upstream ${r.upstream_status})</span>`}</td>
            <td>${r.duration_ms} ms</td>
            <td>${r.client_name === null ? "–" : `${r.client_name} ${r.client_version ?? ""}`}</td>
            <td><code class="small">${r.request_id}</code></td>
          </tr>`,
        )}</tbody></table>`
      }`;
      return sendPage(
        reply,
        layout({ title: `${server.name}: recent requests`, session, section: "accounts", body }),
      );
    },
  );
}
