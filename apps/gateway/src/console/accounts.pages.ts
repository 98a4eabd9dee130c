import { isGatewayError } from "@mcp-gateway/core";
import { getIntegration, integrationNames } from "@mcp-gateway/integrations";
import type { FastifyInstance } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { name as nameSchema } from "../http/schemas.js";
import { createAccount, listAccountsPage, requireAccount } from "../services/accounts.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field } from "./forms.js";
import { html } from "./html.js";
import { csrfField, layout, message, when } from "./layout.js";
import { sendPage } from "./security.js";
import { sendNotFound, sessionOf, tenantOf } from "./session-hooks.js";
import { accountTabs } from "./tabs.js";
import { type AccountView, as, isId } from "./views.js";

/** "api_key" -> "API key": a credential field as people name it. */
function credentialLabel(integrationTitle: string, fieldName: string): string {
  const words = fieldName.split("_").map((w) => (w === "api" ? "API" : w));
  return `${integrationTitle} ${words.join(" ")}`;
}

interface ConnectForm {
  integration: string;
  name: string;
  nameError?: string;
  credentialError?: string;
}

function connectForm(csrf: ReturnType<typeof csrfField>, form: ConnectForm) {
  const integration = getIntegration(form.integration) ?? getIntegration(integrationNames[0] ?? "");
  const credentialFields = integration?.credentialFields ?? [];
  return html`<form method="post" action="/console/accounts/connect" class="card narrow">
    ${csrf}
    <div class="field">
      <label for="integration">Integration</label>
      <select id="integration" name="integration">
        ${integrationNames.map((n) => html`<option value="${n}"${n === integration?.name ? html` selected` : ""}>${getIntegration(n)?.title ?? n}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="name">Name</label>
      <p class="hint" id="name-hint">How this account is listed, e.g. "Support memory".</p>
      <input type="text" id="name" name="name" value="${form.name}" required maxlength="${nameSchema.maxLength}" aria-describedby="name-hint${form.nameError ? " name-error" : ""}"${form.nameError ? html` aria-invalid="true"` : ""}>
      ${form.nameError && html`<p class="field-error" id="name-error">${form.nameError}</p>`}
    </div>
    ${credentialFields.map(
      (f) => html`<div class="field">
        <label for="credential-${f}">${credentialLabel(integration?.title ?? "", f)}</label>
        <p class="hint" id="credential-${f}-hint">Checked with ${integration?.title ?? "the upstream"} now, then stored sealed; it is never shown again.</p>
        <input type="password" id="credential-${f}" name="credential_${f}" autocomplete="off" required aria-describedby="credential-${f}-hint${form.credentialError ? ` credential-${f}-error` : ""}"${form.credentialError ? html` aria-invalid="true"` : ""}>
        ${form.credentialError && html`<p class="field-error" id="credential-${f}-error">${form.credentialError}</p>`}
      </div>`,
    )}
    <div class="actions"><button type="submit">Connect account</button> <a href="/console/accounts">Cancel</a></div>
  </form>`;
}

/** "Integrated accounts", "Connect account" and an account's "Overview" tab. */
export async function accountPages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  app.get<{ Querystring: { cursor?: string } }>("/accounts", async (request, reply) => {
    const session = sessionOf(request);
    const page = await listAccountsPage(ctx, tenantOf(request), { limit: 100, cursor: request.query.cursor });
    const accounts = page.result.map((a) => as<AccountView>(a));
    const body = html`<h1>Integrated accounts</h1>
      <p class="actions"><a class="button" href="/console/accounts/connect">Connect account</a></p>
      ${
        accounts.length === 0
          ? html`<p class="card">No account is connected yet. Connect one to mint MCP server URLs for it.</p>`
          : html`<table>
        <caption class="muted small">Upstream accounts of this tenant</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Integration</th><th scope="col">Upstream</th><th scope="col">Connected</th></tr></thead>
        <tbody>${accounts.map(
          (a) => html`<tr>
            <td><a href="/console/accounts/${a.id}">${a.name}</a></td>
            <td>${getIntegration(a.integration)?.title ?? a.integration}</td>
            <td class="small">${Object.entries(a.context).map(([k, v]) => html`<div>${k}: <code>${v}</code></div>`)}</td>
            <td>${when(a.created_at)}</td>
          </tr>`,
        )}</tbody></table>`
      }
      ${page.next_cursor !== null && html`<p><a href="/console/accounts?cursor=${page.next_cursor}">Next page</a></p>`}`;
    return sendPage(reply, layout({ title: "Integrated accounts", session, section: "accounts", body }));
  });

  app.get("/accounts/connect", async (request, reply) => {
    const session = sessionOf(request);
    const body = html`<h1>Connect account</h1>${connectForm(csrfField(session), { integration: integrationNames[0] ?? "", name: "" })}`;
    return sendPage(reply, layout({ title: "Connect account", session, section: "accounts", body }));
  });

  app.post<{ Body: FormBody }>("/accounts/connect", async (request, reply) => {
    const session = sessionOf(request);
    const form: ConnectForm = {
      integration: field(request.body, "integration") ?? "",
      name: field(request.body, "name") ?? "",
    };
    const integration = getIntegration(form.integration);
    const credentials = Object.fromEntries(
      (integration?.credentialFields ?? []).map((f) => [f, request.body[`credential_${f}`]?.[0] ?? ""]),
    );
    if (form.name === "" || form.name.length > nameSchema.maxLength) {
      form.nameError = `Give the account a name of 1 to ${nameSchema.maxLength} characters.`;
    } else {
      try {
        const account = as<AccountView>(
          await createAccount(requestContext(ctx, request), tenantOf(request), {
            integration: form.integration,
            name: form.name,
            credentials,
          }),
        );
        return reply.code(303).redirect(`/console/accounts/${account.id}?notice=connected`);
      } catch (error) {
        // The same check the API runs: its refusal is shown beside the key field.
        if (!isGatewayError(error) || error.statusCode >= 503) throw error;
        form.credentialError = error.message;
      }
    }
    const body = html`<h1>Connect account</h1>${connectForm(csrfField(session), form)}`;
    return sendPage(reply, layout({ title: "Connect account", session, section: "accounts", body }), 400);
  });

  app.get<{ Params: { id: string }; Querystring: { notice?: string } }>(
    "/accounts/:id",
    async (request, reply) => {
      const session = sessionOf(request);
      if (!isId("acc", request.params.id)) return sendNotFound(reply, session);
      const account = await requireAccount(ctx, tenantOf(request), request.params.id);
      const title = getIntegration(account.integration)?.title ?? account.integration;
      const body = html`<p class="small"><a href="/console/accounts">Integrated accounts</a></p>
        <h1>${account.name}</h1>
        ${request.query.notice === "connected" && message("notice", `${title} accepted the key; the account is connected.`)}
        ${accountTabs(account.id, "overview")}
        <div class="card"><dl class="facts">
          <dt>Integration</dt><dd>${title}</dd>
          ${Object.entries(account.context).map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}
          <dt>Account id</dt><dd><code>${account.id}</code></dd>
          <dt>Connected</dt><dd>${when(account.created_at)}</dd>
          <dt>Updated</dt><dd>${when(account.updated_at)}</dd>
        </dl></div>`;
      return sendPage(reply, layout({ title: account.name, session, section: "accounts", body }));
    },
  );
}
