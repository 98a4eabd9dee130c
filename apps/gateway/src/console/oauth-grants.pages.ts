import type { FastifyInstance } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { listServerGrants, revokeServerGrant } from "../oauth/oauth-grants.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field } from "./forms.js";
import { html } from "./html.js";
import { csrfField, layout, message } from "./layout.js";
import { sendPage } from "./security.js";
import { serverOfPage } from "./server-page.js";
import { sendNotFound, sessionOf, tenantOf } from "./session-hooks.js";
import { isId } from "./views.js";

/** An MCP server's "OAuth grants" page: the clients people approved for its URL, each with "Revoke". */
export async function oauthGrantPages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  app.get<{ Params: { id: string; sid: string }; Querystring: { revoked?: string } }>(
    "/accounts/:id/servers/:sid/oauth-grants",
    async (request, reply) => {
      const session = sessionOf(request);
      const page = await serverOfPage(ctx, request);
      if (page === undefined) return sendNotFound(reply, session);
      const { tenantId, account, server } = page;
      const { result: grants } = await listServerGrants(ctx, tenantId, account.id, server.id);
      const action = `/console/accounts/${account.id}/servers/${server.id}/oauth-grants/revoke`;
      const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>OAuth grants of “${server.name}”</h1>
      ${request.query.revoked !== undefined && message("notice", "The grant is revoked: its client must sign in again.")}
      <p>MCP clients that signed in to this URL through the console and were approved. Each grant works only for this URL; it ends when it is revoked here, when the URL is revoked or expires, or when the API token of the person who approved it is deleted.</p>
      ${
        grants.length === 0
          ? html`<p class="card">No OAuth grants. When someone approves an MCP client for this URL, it shows up here.</p>`
          : html`<table>
        <thead><tr><th scope="col">Client</th><th scope="col">Sends back to</th><th scope="col">Approved with</th><th scope="col">Approved</th><th scope="col">Last refreshed</th><th scope="col">Ends unless refreshed</th><th scope="col">Actions</th></tr></thead>
        <tbody>${grants.map(
          (g) => html`<tr>
            <td>${g.client_name} <span class="muted small">(${g.client_kind === "metadata_document" ? new URL(g.client_id).host : "registered"})</span></td>
            <td><code class="small">${new URL(g.redirect_uri).host}</code></td>
            <td><code class="small">${g.approved_by_api_token_id}</code></td>
            <td>${g.created_at.slice(0, 16).replace("T", " ")} UTC</td>
            <td>${g.last_refreshed_at === null ? "never" : `${g.last_refreshed_at.slice(0, 16).replace("T", " ")} UTC`}</td>
            <td>${g.expires_at.slice(0, 16).replace("T", " ")} UTC</td>
            <td><form method="post" action="${action}">${csrfField(session)}<input type="hidden" name="grant" value="${g.id}"><button type="submit" class="danger" aria-label="Revoke ${g.client_name}">Revoke</button></form></td>
          </tr>`,
        )}</tbody></table>`
      }`;
      return sendPage(
        reply,
        layout({ title: `${server.name}: OAuth grants`, session, section: "accounts", body }),
      );
    },
  );

  app.post<{ Params: { id: string; sid: string }; Body: FormBody }>(
    "/accounts/:id/servers/:sid/oauth-grants/revoke",
    async (request, reply) => {
      const session = sessionOf(request);
      const { id, sid } = request.params;
      if (!isId("acc", id) || !isId("mcp", sid)) return sendNotFound(reply, session);
      const tenantId = tenantOf(request);
      await revokeServerGrant(
        requestContext(ctx, request),
        tenantId,
        id,
        sid,
        field(request.body, "grant") ?? "",
      );
      return reply.code(303).redirect(`/console/accounts/${id}/servers/${sid}/oauth-grants?revoked=1`);
    },
  );
}
