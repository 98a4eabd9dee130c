import {
  describeScope,
  type EntityScope,
  GatewayError,
  isScoped,
  LIMITS,
  newMcpServerId,
  passesToolFilter,
  scopeWidening,
  signMcpToken,
  type ToolExposure,
} from "@mcp-gateway/core";
import {
  getIntegration,
  type Integration,
  splitByScope,
  type Tool,
  toolInScope,
  toolset,
} from "@mcp-gateway/integrations";
import {
  type AccountRecord,
  deleteMcpServer,
  expiryMs,
  findMcpServerWithAccount,
  insertMcpServer,
  isExpired,
  keys,
  listMcpServers,
  type McpServerConfig,
  type McpServerRecord,
  type Page,
  replaceMcpServer,
} from "@mcp-gateway/store";
import { fieldChanges, INTERNAL_ORIGIN, recordAdminChange } from "../log/admin-changes.js";
import { requireAccount } from "./accounts.service.js";
import { afterCursor } from "./page-cursor.js";
import { type ConfigSelection, scopeValues, selectTools } from "./scoped-selection.js";
import { nowIso, type ServiceContext } from "./service-context.js";
import { mcpServerView } from "./views.js";

/** The config as a client sends it; every field optional. */
export interface McpServerConfigInput {
  methods?: string[] | null;
  tags?: string[] | null;
  require_api_token_auth?: boolean;
  tool_exposure?: ToolExposure;
  scope?: Record<string, string> | null;
}

/** Shortest lead time for an expiry: a URL that dies before anyone can paste it is a mistake. */
const MIN_EXPIRY_LEAD_MS = 60_000;

/** Missing, null and [] all mean "no filter" (every value passes). */
function filterValues(values: string[] | null | undefined): string[] | undefined {
  return values === null || values === undefined || values.length === 0 ? undefined : [...new Set(values)];
}

function integrationOf(account: AccountRecord): Integration {
  const integration = getIntegration(account.integration);
  if (integration === undefined)
    throw new Error(`account ${account.id} has unknown integration ${account.integration}`);
  return integration;
}

/** The tools a config selects (methods, tags and scope); an invalid config is a 400 that says what to fix. */
function toolsForConfig(integration: Integration, config: ConfigSelection): Tool[] {
  return selectTools(integration, config).tools;
}

function checkExpiry(ctx: ServiceContext, expiresAt: string | null): number | null {
  if (expiresAt === null) return null;
  const ms = Date.parse(expiresAt);
  if (ms < ctx.clock.now() + MIN_EXPIRY_LEAD_MS) {
    throw new GatewayError(
      "validation_failed",
      "expires_at must be at least 60 seconds in the future (or null for a server that does not expire)",
    );
  }
  return ms;
}

/** A ready-to-paste Claude Desktop entry that reaches the URL through mcp-remote. */
export function claudeDesktopConfig(
  name: string,
  url: string,
  requireApiToken: boolean,
): Record<string, unknown> {
  const key =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "mcp-gateway";
  const args = ["-y", "mcp-remote@0.15.1", url];
  const { hostname, protocol } = new URL(url);
  if (protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(hostname))
    args.push("--allow-http");
  if (!requireApiToken) return { mcpServers: { [key]: { command: "npx", args } } };
  // No spaces around ":" in the header argument: some clients split arguments on spaces.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder Claude Desktop expands from env, not a template
  args.push("--header", "Authorization:${MCP_GATEWAY_AUTH}");
  return {
    mcpServers: { [key]: { command: "npx", args, env: { MCP_GATEWAY_AUTH: "Bearer <your API token>" } } },
  };
}

/** Mints an MCP server URL for an account. The token and URL are in this response only. */
export async function mintMcpServer(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  input: { name: string; config?: McpServerConfigInput; expires_at?: string | null },
): Promise<Record<string, unknown>> {
  const account = await requireAccount(ctx, tenantId, accountId);
  const integration = integrationOf(account);
  const config: McpServerConfig = {
    methods: filterValues(input.config?.methods),
    tags: filterValues(input.config?.tags),
    require_api_token_auth: input.config?.require_api_token_auth ?? false,
    tool_exposure: input.config?.tool_exposure ?? "all",
    scope: scopeValues(input.config?.scope),
  };
  const { tools, leftOut } = selectTools(integration, config);
  const expiresAtMs = checkExpiry(ctx, input.expires_at ?? null);
  const id = newMcpServerId();
  const signed = await signMcpToken(
    ctx.ring,
    {
      issuer: ctx.tokenIssuer,
      audience: ctx.tokenAudience,
      tenantId,
      serverId: id,
      accountId,
      methods: config.methods,
      tags: config.tags,
      scope: config.scope,
      requireApiTokenAuth: config.require_api_token_auth,
      toolExposure: config.tool_exposure,
      expiresAt: expiresAtMs,
    },
    ctx.clock,
  );
  if (!signed.ok) {
    throw new GatewayError(
      "validation_failed",
      `the config makes a token of ${signed.chars} characters (limit ${LIMITS.mcpTokenMaxChars}): use fewer or shorter methods, tags and scope ids`,
    );
  }
  const now = nowIso(ctx);
  const actor = (ctx.origin ?? INTERNAL_ORIGIN).actor;
  const record: McpServerRecord = {
    v: 1,
    id,
    tenant_id: tenantId,
    integrated_account_id: accountId,
    name: input.name,
    config,
    expires_at: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
    token_id: signed.claims.tokenId,
    created_by: {
      type: actor.type,
      id: actor.type === "api_token" ? actor.id : null,
      name: actor.type === "api_token" ? actor.name : null,
    },
    created_at: now,
    updated_at: now,
  };
  if (!(await ctx.acked.commit([keys.tenant(tenantId)], (redis) => insertMcpServer(redis, record))))
    throw new GatewayError("not_found", "no such integrated account");
  recordAdminChange(ctx, {
    ...onServer(tenantId, accountId, id),
    action: "mcp_server.created",
    changes: fieldChanges({}, mcpServerView(record), ["name", "config", "expires_at"]),
  });
  const url = `${ctx.config.publicUrl}/mcp/${signed.token}`;
  return {
    ...mcpServerView(record),
    token: signed.token,
    url,
    tools: tools.map((tool) => tool.name),
    claude_desktop_config: claudeDesktopConfig(input.name, url, config.require_api_token_auth),
    warnings: [...mintWarnings(tools, expiresAtMs), ...scopeWarnings(config.scope, leftOut)],
  };
}

/**
 * What the caller may not have meant: the mint goes through (these are allowed choices), but a URL that can
 * delete things or never expires is said so in the create response, where a minimal request would otherwise
 * pass silently.
 */
export function mintWarnings(tools: readonly Tool[], expiresAtMs: number | null): string[] {
  const warnings: string[] = [];
  const destructive = tools.filter((tool) => tool.annotations.destructiveHint).map((tool) => tool.name);
  if (destructive.length > 0) {
    const shown = destructive.slice(0, 3).join(", ");
    const more = destructive.length > 3 ? ` and ${destructive.length - 3} more` : "";
    warnings.push(
      `this URL can call ${destructive.length} destructive tools (${shown}${more}); ` +
        `mint with config.methods ["read"] for a read-only URL`,
    );
  }
  if (expiresAtMs === null) {
    warnings.push(
      "this URL never expires: set expires_at (e.g. 2026-12-31T23:59:59Z) or revoke it when it is no longer needed",
    );
  }
  return warnings;
}

/** Says which tools a scope left out of the URL (they cannot be confined to an entity). */
function scopeWarnings(scope: EntityScope | undefined, leftOut: readonly Tool[]): string[] {
  if (!isScoped(scope) || leftOut.length === 0) return [];
  const names = leftOut.map((tool) => tool.name);
  const shown = names.slice(0, 5).join(", ");
  const more = names.length > 5 ? ` and ${names.length - 5} more` : "";
  return [
    `${names.length} tools cannot be confined to ${describeScope(scope)} and are left out of this URL (${shown}${more}); mint an unscoped URL for them`,
  ];
}

/** A live server of the account, read with its account in one round trip; 404 for either missing. */
async function requireServer(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
): Promise<{ account: AccountRecord; server: McpServerRecord }> {
  const { account, server } = await findMcpServerWithAccount(ctx.redis, tenantId, serverId, accountId);
  if (account === undefined) throw new GatewayError("not_found", "no such integrated account");
  if (
    server === undefined ||
    server.integrated_account_id !== accountId ||
    isExpired(server.expires_at, ctx.clock.now())
  ) {
    throw new GatewayError("not_found", "no such MCP server");
  }
  return { account, server };
}

/** One MCP server (without its token). */
export async function getMcpServer(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
): Promise<Record<string, unknown>> {
  const { account, server } = await requireServer(ctx, tenantId, accountId, serverId);
  return {
    ...mcpServerView(server),
    tools: toolsForConfig(integrationOf(account), server.config).map((t) => t.name),
  };
}

/** A page of an account's live MCP servers. */
export async function listMcpServersPage(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  query: { cursor?: string; limit: number },
): Promise<Page<Record<string, unknown>>> {
  await requireAccount(ctx, tenantId, accountId);
  const after = afterCursor(query.cursor);
  const page = await listMcpServers(ctx.redis, tenantId, accountId, after, query.limit, ctx.clock.now());
  return { result: page.result.map(mcpServerView), next_cursor: page.next_cursor };
}

const WIDEN =
  "a URL can only be narrowed after it is minted; to grant more, create a new MCP server and give out its URL instead";

/**
 * Renames a server, narrows its filters, turns on API-token auth, switches tool exposure or brings its
 * expiry earlier. Anything that would let the URL do more than it can now is refused.
 */
export async function updateMcpServer(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
  input: { name?: string; config?: McpServerConfigInput; expires_at?: string | null },
): Promise<Record<string, unknown>> {
  const { account, server } = await requireServer(ctx, tenantId, accountId, serverId);
  const integration = integrationOf(account);
  const next: McpServerRecord = { ...server, updated_at: nowIso(ctx), config: { ...server.config } };
  if (input.name !== undefined) next.name = input.name;
  if (input.config !== undefined) {
    // Shallow merge: keys left out keep their current value.
    if (input.config.methods !== undefined) next.config.methods = filterValues(input.config.methods);
    if (input.config.tags !== undefined) next.config.tags = filterValues(input.config.tags);
    if (input.config.tool_exposure !== undefined) next.config.tool_exposure = input.config.tool_exposure;
    if (input.config.require_api_token_auth !== undefined) {
      if (server.config.require_api_token_auth && !input.config.require_api_token_auth) {
        throw new GatewayError("forbidden", `require_api_token_auth cannot be turned off: ${WIDEN}`);
      }
      next.config.require_api_token_auth = input.config.require_api_token_auth;
    }
    if (input.config.scope !== undefined)
      next.config.scope = narrowedScope(server.config.scope, input.config.scope);
    const now = new Set(toolsForConfig(integration, server.config).map((t) => t.name));
    const wider = toolsForConfig(integration, next.config).filter((t) => !now.has(t.name));
    if (wider.length > 0) {
      throw new GatewayError(
        "forbidden",
        `this config would add ${wider.map((t) => t.name).join(", ")}: ${WIDEN}`,
      );
    }
  }
  if (input.expires_at !== undefined) {
    const current = expiryMs(server.expires_at);
    const requested = checkExpiry(ctx, input.expires_at);
    if (current !== null && (requested === null || requested > current)) {
      throw new GatewayError(
        "forbidden",
        `expires_at can only move earlier than ${server.expires_at}: ${WIDEN}`,
      );
    }
    next.expires_at = requested === null ? null : new Date(requested).toISOString();
  }
  if (!(await ctx.acked.commit([keys.tenant(tenantId)], (redis) => replaceMcpServer(redis, next))))
    throw new GatewayError("not_found", "no such MCP server");
  recordAdminChange(ctx, {
    ...onServer(tenantId, accountId, serverId),
    action: "mcp_server.updated",
    changes: serverChanges(server, next),
  });
  return { ...mcpServerView(next), tools: toolsForConfig(integration, next.config).map((t) => t.name) };
}

/**
 * The scope a PATCH asks for (it replaces the whole scope): it may add entity keys, never drop or change one. The
 * record's scope always holds the signed one, so checking against the record keeps the signed keys too.
 */
function narrowedScope(
  current: EntityScope | undefined,
  requested: Record<string, string> | null,
): Record<string, string> | undefined {
  const next = scopeValues(requested);
  const { removed, changed } = scopeWidening(current, next);
  if (removed.length > 0 || changed.length > 0) {
    const parts = [
      ...(removed.length > 0 ? [`drop ${removed.join(", ")}`] : []),
      ...(changed.length > 0 ? [`change ${changed.join(", ")}`] : []),
    ];
    throw new GatewayError(
      "forbidden",
      `the scope can only gain entities, and this would ${parts.join(" and ")} (now ${describeScope(current ?? {})}): ${WIDEN}`,
    );
  }
  return next;
}

/** Revokes a server: its URL stops working on the next request, on every instance. */
export async function deleteMcpServerById(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
): Promise<{ id: string }> {
  const { server } = await requireServer(ctx, tenantId, accountId, serverId);
  if (!(await ctx.acked.commit([keys.tenant(tenantId)], (redis) => deleteMcpServer(redis, server))))
    throw new GatewayError("not_found", "no such MCP server");
  recordAdminChange(ctx, { ...onServer(tenantId, accountId, serverId), action: "mcp_server.revoked" });
  return { id: serverId };
}

/** What a config would expose for an account, without minting anything. */
export async function previewTools(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  filter: { methods?: string[]; tags?: string[]; scope?: Record<string, string> },
): Promise<{ result: Record<string, unknown>[] }> {
  const account = await requireAccount(ctx, tenantId, accountId);
  const tools = toolsForConfig(integrationOf(account), {
    methods: filterValues(filter.methods),
    tags: filterValues(filter.tags),
    scope: scopeValues(filter.scope),
  });
  return {
    result: tools.map((t) => ({
      name: t.name,
      title: t.title,
      resource: t.resource,
      method: t.method,
      tags: t.tags,
      description: t.description,
      annotations: t.annotations,
    })),
  };
}

// Every request of a URL needs the same tool list: memoized by the filters that decide it (a few distinct
// configs per deployment in practice; LIMITS bounds it). Scoped lists are kept apart: a deployment may pin one
// URL per end user, and that churn must not evict the few unscoped lists every other URL shares.
const effectiveToolsCache = new Map<string, Tool[]>();
const scopedToolsCache = new Map<string, Tool[]>();

/**
 * The tools both the signed claims and the current record allow (the record can only be narrower). On a scoped
 * URL only confinable tools remain, each saying in its description which entity it is confined to.
 */
export function effectiveTools(
  integration: Integration,
  claims: { methods?: readonly string[] | undefined; tags?: readonly string[] | undefined },
  config: McpServerConfig,
  scope?: EntityScope,
): Tool[] {
  const key = JSON.stringify([integration.name, claims.methods, claims.tags, config.methods, config.tags]);
  let tools = effectiveToolsCache.get(key);
  if (tools === undefined) {
    tools = toolset(integration, claims).filter((tool) =>
      passesToolFilter(tool, { methods: config.methods, tags: config.tags }),
    );
    remember(effectiveToolsCache, key, tools);
  }
  if (!isScoped(scope)) return tools;
  const scopedKey = `${key}|${JSON.stringify(scope)}`;
  let scoped = scopedToolsCache.get(scopedKey);
  if (scoped === undefined) {
    scoped = splitByScope(integration, tools).confinable.map((tool) => toolInScope(tool, scope));
    remember(scopedToolsCache, scopedKey, scoped);
  }
  return scoped;
}

function remember(cache: Map<string, Tool[]>, key: string, tools: Tool[]): void {
  if (cache.size >= LIMITS.effectiveToolsCacheEntries) cache.clear();
  cache.set(key, tools);
}

function onServer(tenantId: string, accountId: string, serverId: string) {
  return {
    tenant_id: tenantId,
    resource_type: "mcp_server",
    resource_id: serverId,
    integrated_account_id: accountId,
    mcp_server_id: serverId,
  } as const;
}

/** What a PATCH changed, config field by field (e.g. `config.methods: {from: ["read"], to: ["list"]}`). */
function serverChanges(
  before: McpServerRecord,
  after: McpServerRecord,
): Record<string, { from: unknown; to: unknown }> | null {
  const a = mcpServerView(before);
  const b = mcpServerView(after);
  const configOf = (view: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(view.config as Record<string, unknown>).map(([k, v]) => [`config.${k}`, v]),
    );
  const configFields = Object.keys(configOf(a));
  return fieldChanges({ ...a, ...configOf(a) }, { ...b, ...configOf(b) }, [
    "name",
    "expires_at",
    ...configFields,
  ]);
}
