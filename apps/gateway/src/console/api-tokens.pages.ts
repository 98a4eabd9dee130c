import { isGatewayError } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { name as nameSchema } from "../http/schemas.js";
import { issueApiToken, listApiTokensPage, revokeApiToken } from "../services/api-tokens.service.js";
import type { ConsoleSession } from "../services/console-sessions.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field } from "./forms.js";
import { html, type SafeHtml } from "./html.js";
import { copyField, csrfField, layout, message, when } from "./layout.js";
import { sendPage } from "./security.js";
import { sendNotFound, sessionOf, tenantOf } from "./session-hooks.js";
import { type ApiTokenView, as, isId } from "./views.js";

const TOKEN_EXPIRY: Record<string, number | null> = {
  never: null,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
};

function sessionTokenId(session: ConsoleSession): string | undefined {
  return session.user.kind === "tenant" ? session.user.apiTokenId : undefined;
}

function createTokenForm(session: ConsoleSession, error?: string): SafeHtml {
  return html`<form method="post" action="/console/api-tokens" class="card narrow">
    <h2>Create API token</h2>
    ${csrfField(session)}
    <div class="field">
      <label for="token-name">Name</label>
      <input type="text" id="token-name" name="name" required maxlength="${nameSchema.maxLength}"${error ? html` aria-invalid="true" aria-describedby="token-name-error"` : ""}>
      ${error && html`<p class="field-error" id="token-name-error">${error}</p>`}
    </div>
    <fieldset>
      <legend>Expiry</legend>
      <label for="token-expiry-never"><input type="radio" id="token-expiry-never" name="expiry" value="never" checked> Never</label>
      <label for="token-expiry-30d"><input type="radio" id="token-expiry-30d" name="expiry" value="30d"> 30 days</label>
      <label for="token-expiry-90d"><input type="radio" id="token-expiry-90d" name="expiry" value="90d"> 90 days</label>
    </fieldset>
    <button type="submit">Create API token</button>
  </form>`;
}

/** "API tokens": list, create (shown once), delete with a warning for the session's own or the last token. */
export async function apiTokenPages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const listPage = async (session: ConsoleSession, tenantId: string, top: SafeHtml, error?: string) => {
    const page = await listApiTokensPage(ctx, tenantId, { limit: 100 });
    const tokens = page.result.map((t) => as<ApiTokenView>(t));
    const own = sessionTokenId(session);
    const body = html`<h1>API tokens</h1>
      ${top}
      <p>Tokens open the admin API and this console for this tenant, and satisfy "Require API token" on MCP URLs.</p>
      <table>
        <caption class="muted small">Live API tokens of this tenant</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Expires</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
        <tbody>${tokens.map(
          (t) => html`<tr>
            <td>${t.name}${t.id === own && html` <span class="muted small">(this session)</span>`}</td>
            <td><code>${t.id}</code></td>
            <td>${t.expires_at === null ? "never" : when(t.expires_at)}</td>
            <td>${when(t.created_at)}</td>
            <td><a href="/console/api-tokens/${t.id}/delete" aria-label="Delete ${t.name}">Delete</a></td>
          </tr>`,
        )}</tbody>
      </table>
      ${createTokenForm(session, error)}`;
    return layout({ title: "API tokens", session, section: "api-tokens", body });
  };

  app.get<{ Querystring: { notice?: string } }>("/api-tokens", async (request, reply) => {
    const session = sessionOf(request);
    const top = request.query.notice === "deleted" ? message("notice", "The API token is deleted.") : html``;
    return sendPage(reply, await listPage(session, tenantOf(request), top));
  });

  app.post<{ Body: FormBody }>("/api-tokens", async (request, reply) => {
    const session = sessionOf(request);
    const name = field(request.body, "name") ?? "";
    const choice = field(request.body, "expiry") ?? "never";
    const expiry = Object.hasOwn(TOKEN_EXPIRY, choice) ? (TOKEN_EXPIRY[choice] ?? null) : null;
    if (name === "" || name.length > nameSchema.maxLength) {
      const error = `Give the token a name of 1 to ${nameSchema.maxLength} characters.`;
      return sendPage(reply, await listPage(session, tenantOf(request), html``, error), 400);
    }
    try {
      const expiresAt = expiry === null ? null : new Date(ctx.clock.now() + expiry).toISOString();
      const created = await issueApiToken(requestContext(ctx, request), tenantOf(request), {
        name,
        expires_at: expiresAt,
      });
      const top = html`<div class="card">
        <h2>API token “${name}” created</h2>
        ${copyField("new-api-token", "API token", String(created.token))}
        ${message("warning", html`<strong>Copy this token now: it will not be shown again.</strong> Keep it like a password.`)}
      </div>`;
      return sendPage(reply, await listPage(session, tenantOf(request), top), 201);
    } catch (error) {
      if (!isGatewayError(error) || error.statusCode >= 500) throw error;
      return sendPage(reply, await listPage(session, tenantOf(request), html``, error.message), 400);
    }
  });

  app.get<{ Params: { id: string } }>("/api-tokens/:id/delete", async (request, reply) => {
    const session = sessionOf(request);
    const tenantId = tenantOf(request);
    const tokens = (await listApiTokensPage(ctx, tenantId, { limit: 100 })).result.map((t) =>
      as<ApiTokenView>(t),
    );
    const token = tokens.find((t) => t.id === request.params.id);
    if (!isId("tok", request.params.id) || token === undefined) return sendNotFound(reply, session);
    const warnings = [
      token.id === sessionTokenId(session) &&
        message(
          "warning",
          "You signed in with this token: deleting it ends this session at once, and you will need another token to sign in again.",
        ),
      tokens.length === 1 &&
        message(
          "warning",
          "This is the tenant's last API token: after deleting it nobody can sign in to this console or use the admin API for this tenant until the operator issues a new one.",
        ),
    ];
    const body = html`<p class="small"><a href="/console/api-tokens">API tokens</a></p>
      <h1>Delete API token “${token.name}”?</h1>
      <form method="post" action="/console/api-tokens/${token.id}/delete" class="card narrow">
        ${csrfField(session)}
        ${warnings}
        <p>Clients using it (the admin API, MCP URLs that require an API token) are refused from now on.</p>
        <div class="actions"><button type="submit" class="danger">Delete</button> <a href="/console/api-tokens">Cancel</a></div>
      </form>`;
    return sendPage(reply, layout({ title: "Delete API token", session, section: "api-tokens", body }));
  });

  app.post<{ Params: { id: string }; Body: FormBody }>("/api-tokens/:id/delete", async (request, reply) => {
    const session = sessionOf(request);
    if (!isId("tok", request.params.id)) return sendNotFound(reply, session);
    // The confirmation page warned about deleting the last token; confirming it is the force.
    await revokeApiToken(requestContext(ctx, request), tenantOf(request), request.params.id, { force: true });
    // Deleting the session's own token ended the session: the next page is the sign-in page.
    return reply.code(303).redirect("/console/api-tokens?notice=deleted");
  });
}
