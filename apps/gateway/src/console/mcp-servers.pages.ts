import { GatewayError, isGatewayError } from "@mcp-gateway/core";
import { catalogueSummary, getIntegration } from "@mcp-gateway/integrations";
import type { AccountRecord } from "@mcp-gateway/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requestContext } from "../http/request-origin.js";
import { name as nameSchema } from "../http/schemas.js";
import { requireAccount } from "../services/accounts.service.js";
import {
  deleteMcpServerById,
  getMcpServer,
  listMcpServersPage,
  mintMcpServer,
  previewTools,
  updateMcpServer,
} from "../services/mcp-servers.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { type FormBody, field, fields, queryList } from "./forms.js";
import { html, type SafeHtml } from "./html.js";
import { copyBlock, copyField, csrfField, layout, message, timeLeft, when } from "./layout.js";
import { sendPage } from "./security.js";
import { sendNotFound, sessionOf, tenantOf } from "./session-hooks.js";
import { accountTabs } from "./tabs.js";
import { as, filterText, isId, type McpServerView } from "./views.js";

const EXPIRY_CHOICES = [
  ["1h", "1 hour", 3_600_000],
  ["1d", "1 day", 86_400_000],
  ["7d", "7 days", 7 * 86_400_000],
  ["30d", "30 days", 30 * 86_400_000],
] as const;

const GROUP_HINTS: Record<string, string> = {
  read: "get and list",
  write: "create, update and delete",
  custom: "everything else, such as search",
};

/** What the create and edit forms hold, as chosen (sticky across a refusal). */
interface ServerChoice {
  name: string;
  methods: string[];
  tags: string[];
  /** "keep" (edit only), a key of EXPIRY_CHOICES, "never" or "at". */
  expiry: string;
  expiresAtLocal: string;
  requireApiToken: boolean;
  exposure: "all" | "discovery";
  /** Entity key -> id typed into the "Entity scope" fields (empty fields left out). */
  scope: Record<string, string>;
}

/** The form field of one scope key, e.g. scope_user_id. */
const scopeField = (key: string): string => `scope_${key}`;

/** The entity keys an account's integration can pin a URL to (none when it has no scope support). */
function scopeKeysOf(account: AccountRecord): readonly string[] {
  return getIntegration(account.integration)?.scope?.keys ?? [];
}

function scopeFromFields(
  keys: readonly string[],
  read: (name: string) => string | undefined,
): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const key of keys) {
    const value = read(scopeField(key));
    if (value !== undefined) scope[key] = value;
  }
  return scope;
}

/** A scope as the list shows it: `user_id usr-99`, or "none". */
function scopeText(scope: Record<string, string> | null): string {
  const entries = Object.entries(scope ?? {});
  return entries.length === 0 ? "none" : entries.map(([key, id]) => `${key} ${id}`).join(", ");
}

function choiceFromForm(body: FormBody, fallbackExpiry: string, scopeKeys: readonly string[]): ServerChoice {
  return {
    scope: scopeFromFields(scopeKeys, (name) => field(body, name)),
    name: field(body, "name") ?? "",
    methods: fields(body, "methods"),
    tags: fields(body, "tags"),
    expiry: field(body, "expiry") ?? fallbackExpiry,
    expiresAtLocal: field(body, "expires_at") ?? "",
    requireApiToken: field(body, "require_api_token_auth") === "on",
    exposure: field(body, "tool_exposure") === "discovery" ? "discovery" : "all",
  };
}

/** The chosen expiry as the API takes it: undefined keeps it (edit), null is never, else an ISO instant. */
function expiresAtOf(choice: ServerChoice, nowMs: number): string | null | undefined {
  if (choice.expiry === "keep") return undefined;
  if (choice.expiry === "never") return null;
  const preset = EXPIRY_CHOICES.find(([key]) => key === choice.expiry);
  if (preset !== undefined) return new Date(nowMs + preset[2]).toISOString();
  // datetime-local gives "YYYY-MM-DDTHH:mm" without a zone; the form says it is UTC.
  if (choice.expiry === "at" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(choice.expiresAtLocal)) {
    return new Date(`${choice.expiresAtLocal}Z`).toISOString();
  }
  throw new GatewayError("validation_failed", "choose an expiry, or a date and time (UTC) for it");
}

function checkName(choice: ServerChoice): void {
  if (choice.name === "" || choice.name.length > nameSchema.maxLength) {
    throw new GatewayError(
      "validation_failed",
      `give the server a name of 1 to ${nameSchema.maxLength} characters`,
    );
  }
}

/** The live preview: the tools a methods/tags choice exposes, or why it exposes none. */
async function previewFragment(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  filter: { methods: string[]; tags: string[]; scope: Record<string, string> },
  exposure: "all" | "discovery",
): Promise<SafeHtml> {
  try {
    const { result } = await previewTools(ctx, tenantId, accountId, filter);
    const tools = result as {
      name: string;
      title: string;
      annotations: { readOnlyHint: boolean; destructiveHint: boolean };
    }[];
    return html`<div data-matches="true">
      <h2 id="preview-heading">Tools this URL exposes (${tools.length})</h2>
      ${exposure === "discovery" && html`<p class="hint">With discovery, clients list only search_tools, get_tool_schema and call_tool, which reach these tools.</p>`}
      ${Object.keys(filter.scope).length > 0 && html`<p class="hint">Confined to ${scopeText(filter.scope)}: tools that cannot be confined to an entity are left out.</p>`}
      <ul class="tool-list" aria-labelledby="preview-heading">${tools.map(
        (t) =>
          html`<li><code class="tool-name">${t.name}</code>${t.annotations.readOnlyHint && html`<span class="badge read-only">read-only</span>`}${t.annotations.destructiveHint && html`<span class="badge destructive">destructive</span>`}<span class="title">${t.title}</span></li>`,
      )}</ul>
    </div>`;
  } catch (error) {
    if (!isGatewayError(error) || error.code !== "validation_failed") throw error;
    return html`<div data-matches="false">
      <h2 id="preview-heading">Tools this URL exposes (0)</h2>
      ${message("error", html`No tool matches this choice, so it cannot be created: ${error.message}`)}
    </div>`;
  }
}

function checkbox(name: string, value: string, checked: boolean, label: SafeHtml | string): SafeHtml {
  const id = `${name}-${value}`;
  return html`<label for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ""}> ${label}</label>`;
}

function radio(name: string, value: string, checked: boolean, label: string): SafeHtml {
  const id = `${name}-${value}`;
  return html`<label for="${id}"><input type="radio" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ""}> ${label}</label>`;
}

function serverForm(options: {
  account: AccountRecord;
  choice: ServerChoice;
  csrf: SafeHtml;
  action: string;
  submitLabel: string;
  editing: boolean;
  preview: SafeHtml;
  error?: string | undefined;
}): SafeHtml {
  const integration = getIntegration(options.account.integration);
  const summary = integration === undefined ? undefined : catalogueSummary(integration);
  const groups = (summary?.methods ?? []).filter((m) => m in GROUP_HINTS);
  const exact = (summary?.methods ?? []).filter((m) => !(m in GROUP_HINTS));
  const c = options.choice;
  const matches = options.preview.value.includes('data-matches="true"');
  return html`${options.error !== undefined && message("error", options.error)}
  <div class="layout-create">
  <form method="post" action="${options.action}" class="card" data-preview-url="/console/accounts/${options.account.id}/servers/preview" data-preview-target="tool-preview">
    ${options.csrf}
    <div class="field">
      <label for="name">Name</label>
      <input type="text" id="name" name="name" value="${c.name}" required maxlength="${nameSchema.maxLength}">
    </div>
    <fieldset>
      <legend>Methods</legend>
      <p class="hint">None checked: every method. Checked: a tool passes if its method is in one of them.</p>
      ${groups.map((m) => checkbox("methods", m, c.methods.includes(m), html`${m} <span class="muted small">(${GROUP_HINTS[m]})</span>`))}
      <fieldset>
        <legend>Exact methods</legend>
        ${exact.map((m) => checkbox("methods", m, c.methods.includes(m), m))}
      </fieldset>
    </fieldset>
    <fieldset>
      <legend>Tags</legend>
      <p class="hint">None checked: every tag. Checked: a tool passes if it carries one of them (and its method passes).</p>
      ${(summary?.tags ?? []).map((t) => checkbox("tags", t, c.tags.includes(t), t))}
    </fieldset>
    <fieldset>
      <legend>Expiry</legend>
      ${options.editing && radio("expiry", "keep", c.expiry === "keep", "Keep the current expiry")}
      ${EXPIRY_CHOICES.map(([key, label]) => radio("expiry", key, c.expiry === key, label))}
      ${!options.editing && radio("expiry", "never", c.expiry === "never", "Never")}
      ${radio("expiry", "at", c.expiry === "at", "At a date and time")}
      <div class="field">
        <label for="expires_at">Expiry date and time (UTC)</label>
        <input type="datetime-local" id="expires_at" name="expires_at" value="${c.expiresAtLocal}">
      </div>
      ${options.editing && html`<p class="hint">An expiry can only move earlier.</p>`}
    </fieldset>
    <fieldset>
      <legend>Access</legend>
      <label for="require_api_token_auth"><input type="checkbox" id="require_api_token_auth" name="require_api_token_auth" value="on"${c.requireApiToken ? html` checked` : ""}> Require API token</label>
      <p class="hint">Clients must sign in: Claude's custom connectors (and mcp-remote without a header) through OAuth, approved in this console by a user of this tenant; other clients send Authorization: Bearer with a tenant API token.</p>
    </fieldset>
    <fieldset>
      <legend>Tool exposure</legend>
      ${radio("tool_exposure", "all", c.exposure === "all", "All tools")}
      ${radio("tool_exposure", "discovery", c.exposure === "discovery", "Discovery (search_tools, get_tool_schema, call_tool)")}
    </fieldset>
    ${
      scopeKeysOf(options.account).length > 0 &&
      html`<fieldset>
      <legend>Entity scope</legend>
      <p class="hint">Pin the URL to one end user (or agent, app, run): every call stays inside it, and tools that cannot be confined are left out. Empty: not pinned. Several ids: a memory must carry all of them.${options.editing ? " An id can be added, never removed or changed." : ""}</p>
      ${scopeKeysOf(options.account).map(
        (key) => html`<div class="field">
        <label for="${scopeField(key)}">${key}</label>
        <input type="text" id="${scopeField(key)}" name="${scopeField(key)}" value="${c.scope[key] ?? ""}" maxlength="128" autocomplete="off" spellcheck="false">
      </div>`,
      )}
    </fieldset>`
    }
    ${options.editing && html`<p class="hint">A URL can only be narrowed: fewer tools, API token turned on, an earlier expiry, an added scope id.</p>`}
    <div class="actions">
      <button type="submit"${matches ? "" : html` disabled`}>${options.submitLabel}</button>
      <a href="/console/accounts/${options.account.id}/servers">Cancel</a>
    </div>
  </form>
  <section class="card preview" id="tool-preview" aria-live="polite" aria-labelledby="preview-heading">${options.preview}</section>
  </div>`;
}

function claudeSteps(view: McpServerView & { url: string; claude_desktop_config: unknown }): SafeHtml {
  return html`<h2>Connect Claude</h2>
    <h3>As a custom connector (Claude web, desktop and mobile)</h3>
    ${
      view.config.require_api_token_auth
        ? html`<ol><li>In Claude, open Settings → Connectors → Add custom connector.</li><li>Paste the URL above and save, then choose Connect: Claude opens this console, where a user of this tenant signs in and chooses "Approve". Claude reaches the gateway from Anthropic's servers, so it must be reachable over HTTPS at its public URL.</li></ol>`
        : html`<ol><li>In Claude, open Settings → Connectors → Add custom connector.</li><li>Paste the URL above and save. Claude reaches it from Anthropic's servers, so the gateway must be reachable over HTTPS at its public URL.</li></ol>`
    }
    <h3>Claude Desktop through mcp-remote</h3>
    <p>Add this to <code>claude_desktop_config.json</code> and restart Claude Desktop.${view.config.require_api_token_auth && " Replace <your API token> with a tenant API token: mcp-remote sends it as the Authorization header."}</p>
    ${copyBlock("desktop-config", "Claude Desktop configuration", JSON.stringify(view.claude_desktop_config, null, 2))}`;
}

async function accountOr404(
  ctx: ServiceContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<AccountRecord | undefined> {
  if (!isId("acc", request.params.id)) {
    await sendNotFound(reply, sessionOf(request));
    return undefined;
  }
  return requireAccount(ctx, tenantOf(request), request.params.id);
}

const NOTICES: Record<string, string> = {
  revoked: "The MCP server is revoked: its URL stopped working at once.",
  updated: "The MCP server is updated.",
};

type ServerParams = { Params: { id: string; sid: string } };

/** The "MCP Servers" tab, the create form with its live preview, the URL shown once, edit and revoke. */
export async function mcpServerPages(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { notice?: string; cursor?: string } }>(
    "/accounts/:id/servers",
    async (request, reply) => {
      const session = sessionOf(request);
      const account = await accountOr404(ctx, request, reply);
      if (account === undefined) return reply;
      const tenantId = tenantOf(request);
      const page = await listMcpServersPage(ctx, tenantId, account.id, {
        limit: 100,
        cursor: request.query.cursor,
      });
      const servers = await Promise.all(
        page.result.map(async (s) => {
          const full = await getMcpServer(ctx, tenantId, account.id, String(s.id)).catch(() => undefined);
          return { view: as<McpServerView>(s), tools: (full?.tools as string[] | undefined)?.length ?? 0 };
        }),
      );
      const now = ctx.clock.now();
      const asked = request.query.notice;
      const notice = asked !== undefined && Object.hasOwn(NOTICES, asked) ? NOTICES[asked] : undefined;
      const body = html`<p class="small"><a href="/console/accounts">Integrated accounts</a></p>
        <h1>${account.name}</h1>
        ${notice !== undefined && message("notice", notice)}
        ${accountTabs(account.id, "servers")}
        <p class="actions"><a class="button" href="/console/accounts/${account.id}/servers/new">Create MCP Server</a></p>
        ${
          servers.length === 0
            ? html`<p class="card">No live MCP server for this account. Create one to get a URL for Claude.</p>`
            : html`<table>
          <caption class="muted small">Live MCP servers of this account</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Methods</th><th scope="col">Tags</th><th scope="col">Scope</th><th scope="col">Tools</th><th scope="col">Expires</th><th scope="col">API token</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>${servers.map(
            ({ view: s, tools }) => html`<tr>
              <td>${s.name}</td>
              <td>${filterText(s.config.methods, "all")}</td>
              <td>${filterText(s.config.tags, "all")}</td>
              <td>${scopeText(s.config.scope)}</td>
              <td>${tools}${s.config.tool_exposure === "discovery" && html` <span class="muted small">(discovery)</span>`}</td>
              <td>${s.expires_at === null ? "never" : html`${when(s.expires_at)} <span class="muted small">(${timeLeft(s.expires_at, now)})</span>`}</td>
              <td>${s.config.require_api_token_auth ? "Required" : "Not required"}</td>
              <td>${when(s.created_at)}</td>
              <td><div class="row-actions">
                <a href="/console/accounts/${account.id}/servers/${s.id}/requests" aria-label="Recent requests of ${s.name}">Requests</a>
                ${s.config.require_api_token_auth && html`<a href="/console/accounts/${account.id}/servers/${s.id}/oauth-grants" aria-label="OAuth grants of ${s.name}">OAuth grants</a>`}
                <a href="/console/accounts/${account.id}/servers/${s.id}/edit" aria-label="Edit ${s.name}">Edit</a>
                <a href="/console/accounts/${account.id}/servers/${s.id}/revoke" aria-label="Revoke ${s.name}">Revoke</a>
              </div></td>
            </tr>`,
          )}</tbody></table>`
        }
        ${page.next_cursor !== null && html`<p><a href="/console/accounts/${account.id}/servers?cursor=${page.next_cursor}">Next page</a></p>`}`;
      return sendPage(
        reply,
        layout({ title: `${account.name}: MCP Servers`, session, section: "accounts", body }),
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, string | string[] | undefined> }>(
    "/accounts/:id/servers/preview",
    async (request, reply) => {
      const account = await accountOr404(ctx, request, reply);
      if (account === undefined) return reply;
      const query = request.query;
      const filter = {
        methods: queryList(query.methods),
        tags: queryList(query.tags),
        scope: scopeFromFields(scopeKeysOf(account), (name) => queryList(query[name])[0]),
      };
      return sendPage(reply, await previewFragment(ctx, tenantOf(request), account.id, filter, "all"));
    },
  );

  const renderCreate = async (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    account: AccountRecord,
    choice: ServerChoice,
    error?: string,
  ) => {
    const session = sessionOf(request);
    const preview = await previewFragment(ctx, tenantOf(request), account.id, choice, choice.exposure);
    const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>Create MCP Server</h1>
      ${serverForm({ account, choice, csrf: csrfField(session), action: `/console/accounts/${account.id}/servers`, submitLabel: "Create MCP Server", editing: false, preview, error })}`;
    return sendPage(
      reply,
      layout({ title: "Create MCP Server", session, section: "accounts", body }),
      error ? 400 : 200,
    );
  };

  app.get<{ Params: { id: string } }>("/accounts/:id/servers/new", async (request, reply) => {
    const account = await accountOr404(ctx, request, reply);
    if (account === undefined) return reply;
    const choice: ServerChoice = {
      name: "",
      methods: [],
      tags: [],
      expiry: "7d",
      expiresAtLocal: "",
      requireApiToken: false,
      exposure: "all",
      scope: {},
    };
    return renderCreate(request, reply, account, choice);
  });

  app.post<{ Params: { id: string }; Body: FormBody }>("/accounts/:id/servers", async (request, reply) => {
    const session = sessionOf(request);
    const account = await accountOr404(ctx, request, reply);
    if (account === undefined) return reply;
    const choice = choiceFromForm(request.body, "7d", scopeKeysOf(account));
    let created: McpServerView & {
      url: string;
      tools: string[];
      claude_desktop_config: unknown;
      warnings: string[];
    };
    try {
      checkName(choice);
      created = as(
        await mintMcpServer(requestContext(ctx, request), tenantOf(request), account.id, {
          name: choice.name,
          config: {
            methods: choice.methods,
            tags: choice.tags,
            require_api_token_auth: choice.requireApiToken,
            tool_exposure: choice.exposure,
            scope: choice.scope,
          },
          expires_at: expiresAtOf(choice, ctx.clock.now()) ?? null,
        }),
      );
    } catch (error) {
      if (!isGatewayError(error) || error.statusCode >= 500 || error.code === "not_found") throw error;
      return renderCreate(request, reply, account, choice, `The server was not created: ${error.message}`);
    }
    const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>MCP server “${created.name}” created</h1>
      <div class="card">
        ${copyField("mcp-url", "MCP server URL", created.url)}
        ${message("warning", html`<strong>Copy this URL now: it will not be shown again.</strong> Anyone who holds it can use these ${created.tools.length} tools${created.expires_at === null ? "" : ` until ${when(created.expires_at)}`}, unless you revoke it.`)}
        ${created.config.scope !== null && html`<p>Confined to <strong>${scopeText(created.config.scope)}</strong>: every call of this URL stays inside it.</p>`}
        ${created.warnings.map((warning) => message("warning", warning))}
        <h2>Tools</h2>
        <ul class="tool-list">${created.tools.map((t) => html`<li><code>${t}</code></li>`)}</ul>
        ${claudeSteps(created)}
        <p><a href="/console/accounts/${account.id}/servers">Back to MCP Servers</a></p>
      </div>`;
    return sendPage(reply, layout({ title: "MCP server created", session, section: "accounts", body }), 201);
  });

  const renderEdit = async (
    request: FastifyRequest<ServerParams>,
    reply: FastifyReply,
    account: AccountRecord,
    server: McpServerView,
    choice: ServerChoice,
    error?: string,
  ) => {
    const session = sessionOf(request);
    const preview = await previewFragment(ctx, tenantOf(request), account.id, choice, choice.exposure);
    const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>Edit “${server.name}”</h1>
      ${serverForm({ account, choice, csrf: csrfField(session), action: `/console/accounts/${account.id}/servers/${server.id}/edit`, submitLabel: "Save changes", editing: true, preview, error })}`;
    return sendPage(
      reply,
      layout({ title: `Edit ${server.name}`, session, section: "accounts", body }),
      error ? 400 : 200,
    );
  };

  const serverOr404 = async (request: FastifyRequest<ServerParams>, reply: FastifyReply) => {
    const account = await accountOr404(ctx, request, reply);
    if (account === undefined) return undefined;
    if (!isId("mcp", request.params.sid)) {
      await sendNotFound(reply, sessionOf(request));
      return undefined;
    }
    const server = as<McpServerView>(
      await getMcpServer(ctx, tenantOf(request), account.id, request.params.sid),
    );
    return { account, server };
  };

  app.get<ServerParams>("/accounts/:id/servers/:sid/edit", async (request, reply) => {
    const found = await serverOr404(request, reply);
    if (found === undefined) return reply;
    const { account, server } = found;
    return renderEdit(request, reply, account, server, {
      name: server.name,
      methods: server.config.methods ?? [],
      tags: server.config.tags ?? [],
      expiry: "keep",
      expiresAtLocal: "",
      requireApiToken: server.config.require_api_token_auth,
      exposure: server.config.tool_exposure,
      scope: server.config.scope ?? {},
    });
  });

  app.post<ServerParams & { Body: FormBody }>("/accounts/:id/servers/:sid/edit", async (request, reply) => {
    const found = await serverOr404(request, reply);
    if (found === undefined) return reply;
    const { account, server } = found;
    const choice = choiceFromForm(request.body, "keep", scopeKeysOf(account));
    try {
      checkName(choice);
      const expiresAt = expiresAtOf(choice, ctx.clock.now());
      // The same rules as PATCH: the service refuses anything that would widen the URL.
      await updateMcpServer(requestContext(ctx, request), tenantOf(request), account.id, server.id, {
        name: choice.name,
        config: {
          methods: choice.methods,
          tags: choice.tags,
          require_api_token_auth: choice.requireApiToken,
          tool_exposure: choice.exposure,
          scope: choice.scope,
        },
        ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
      });
    } catch (error) {
      if (!isGatewayError(error) || error.statusCode >= 500 || error.code === "not_found") throw error;
      return renderEdit(request, reply, account, server, choice, `Not saved: ${error.message}`);
    }
    return reply.code(303).redirect(`/console/accounts/${account.id}/servers?notice=updated`);
  });

  app.get<ServerParams>("/accounts/:id/servers/:sid/revoke", async (request, reply) => {
    const session = sessionOf(request);
    const found = await serverOr404(request, reply);
    if (found === undefined) return reply;
    const { account, server } = found;
    const body = html`<p class="small"><a href="/console/accounts/${account.id}/servers">${account.name}: MCP Servers</a></p>
      <h1>Revoke “${server.name}”?</h1>
      <form method="post" action="/console/accounts/${account.id}/servers/${server.id}/revoke" class="card narrow">
        ${csrfField(session)}
        ${message("warning", "Its URL stops working at once, for every client that has it. This cannot be undone: to give access again, create a new MCP server.")}
        <div class="actions"><button type="submit" class="danger">Revoke</button> <a href="/console/accounts/${account.id}/servers">Cancel</a></div>
      </form>`;
    return sendPage(reply, layout({ title: `Revoke ${server.name}`, session, section: "accounts", body }));
  });

  app.post<ServerParams & { Body: FormBody }>("/accounts/:id/servers/:sid/revoke", async (request, reply) => {
    const found = await serverOr404(request, reply);
    if (found === undefined) return reply;
    await deleteMcpServerById(
      requestContext(ctx, request),
      tenantOf(request),
      found.account.id,
      found.server.id,
    );
    return reply.code(303).redirect(`/console/accounts/${found.account.id}/servers?notice=revoked`);
  });
}
