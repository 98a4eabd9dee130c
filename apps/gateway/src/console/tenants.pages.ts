import type { FastifyInstance } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { name as nameSchema } from "../http/schemas.js";
import { issueApiToken } from "../services/api-tokens.service.js";
import type { ConsoleSession } from "../services/console-sessions.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { createTenant, deleteTenant, getTenant, listTenantsPage } from "../services/tenants.service.js";
import { type FormBody, field } from "./forms.js";
import { html, type SafeHtml } from "./html.js";
import { copyField, csrfField, layout, message, when } from "./layout.js";
import { sendPage } from "./security.js";
import { sendNotFound, sessionOf } from "./session-hooks.js";
import { as, isId, type TenantView } from "./views.js";

/** The operator's "Tenants": list, create (first API token shown once), issue a token, delete. */
export async function tenantPages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const listPage = async (session: ConsoleSession, top: SafeHtml, cursor?: string, error?: string) => {
    const page = await listTenantsPage(ctx, { limit: 100, cursor });
    const tenants = page.result.map((t) => as<TenantView>(t));
    const body = html`<h1>Tenants</h1>
      ${top}
      ${
        tenants.length === 0
          ? html`<p class="card">No tenant yet.</p>`
          : html`<table>
        <caption class="muted small">Every tenant of this gateway</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
        <tbody>${tenants.map(
          (t) => html`<tr>
            <td>${t.name}</td><td><code>${t.id}</code></td><td>${when(t.created_at)}</td>
            <td><div class="row-actions">
              <form method="post" action="/console/tenants/${t.id}/api-tokens">${csrfField(session)}<button type="submit" class="link-button" aria-label="Issue API token for ${t.name}">Issue API token</button></form>
              <a href="/console/tenants/${t.id}/delete" aria-label="Delete ${t.name}">Delete</a>
            </div></td>
          </tr>`,
        )}</tbody></table>`
      }
      ${page.next_cursor !== null && html`<p><a href="/console/tenants?cursor=${page.next_cursor}">Next page</a></p>`}
      <form method="post" action="/console/tenants" class="card narrow">
        <h2>Create tenant</h2>
        ${csrfField(session)}
        <div class="field">
          <label for="tenant-name">Name</label>
          <input type="text" id="tenant-name" name="name" required maxlength="${nameSchema.maxLength}"${error ? html` aria-invalid="true" aria-describedby="tenant-name-error"` : ""}>
          ${error && html`<p class="field-error" id="tenant-name-error">${error}</p>`}
        </div>
        <button type="submit">Create tenant</button>
      </form>`;
    return layout({ title: "Tenants", session, section: "tenants", body });
  };

  const shownOnce = (heading: string, token: string) => html`<div class="card">
    <h2>${heading}</h2>
    ${copyField("new-api-token", "API token", token)}
    ${message("warning", html`<strong>Copy this token now: it will not be shown again.</strong> Give it to the tenant over a private channel.`)}
  </div>`;

  app.get<{ Querystring: { notice?: string; cursor?: string } }>("/tenants", async (request, reply) => {
    const top =
      request.query.notice === "deleted"
        ? message("notice", "The tenant is deleted, with everything under it.")
        : html``;
    return sendPage(reply, await listPage(sessionOf(request), top, request.query.cursor));
  });

  app.post<{ Body: FormBody }>("/tenants", async (request, reply) => {
    const session = sessionOf(request);
    const name = field(request.body, "name") ?? "";
    if (name === "" || name.length > nameSchema.maxLength) {
      const error = `Give the tenant a name of 1 to ${nameSchema.maxLength} characters.`;
      return sendPage(reply, await listPage(session, html``, undefined, error), 400);
    }
    const created = await createTenant(requestContext(ctx, request), { name });
    const token = String((created.api_token as { token: string }).token);
    return sendPage(
      reply,
      await listPage(session, shownOnce(`Tenant “${name}” created; its first API token`, token)),
      201,
    );
  });

  app.post<{ Params: { id: string }; Body: FormBody }>("/tenants/:id/api-tokens", async (request, reply) => {
    const session = sessionOf(request);
    if (!isId("ten", request.params.id)) return sendNotFound(reply, session);
    const tenant = as<TenantView>(await getTenant(ctx, request.params.id));
    const issued = await issueApiToken(requestContext(ctx, request), tenant.id, {
      name: "issued by the operator",
      expires_at: null,
    });
    return sendPage(
      reply,
      await listPage(session, shownOnce(`New API token for “${tenant.name}”`, String(issued.token))),
      201,
    );
  });

  app.get<{ Params: { id: string } }>("/tenants/:id/delete", async (request, reply) => {
    const session = sessionOf(request);
    if (!isId("ten", request.params.id)) return sendNotFound(reply, session);
    const tenant = as<TenantView>(await getTenant(ctx, request.params.id));
    const body = html`<p class="small"><a href="/console/tenants">Tenants</a></p>
      <h1>Delete tenant “${tenant.name}”?</h1>
      <form method="post" action="/console/tenants/${tenant.id}/delete" class="card narrow">
        ${csrfField(session)}
        ${message("warning", "Everything under it goes at once: its API tokens, console sessions, integrated accounts and every MCP URL it minted. This cannot be undone.")}
        <div class="actions"><button type="submit" class="danger">Delete</button> <a href="/console/tenants">Cancel</a></div>
      </form>`;
    return sendPage(reply, layout({ title: "Delete tenant", session, section: "tenants", body }));
  });

  app.post<{ Params: { id: string }; Body: FormBody }>("/tenants/:id/delete", async (request, reply) => {
    if (!isId("ten", request.params.id)) return sendNotFound(reply, sessionOf(request));
    await deleteTenant(requestContext(ctx, request), request.params.id);
    return reply.code(303).redirect("/console/tenants?notice=deleted");
  });
}
