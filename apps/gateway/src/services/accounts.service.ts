import {
  credentialsAad,
  GatewayError,
  LIMITS,
  newAccountId,
  openSecret,
  sealSecret,
} from "@mcp-gateway/core";
import {
  getIntegration,
  type Integration,
  integrationNames,
  resolveContext,
} from "@mcp-gateway/integrations";
import {
  type AccountRecord,
  deleteAccountCascade,
  findAccount,
  insertAccount,
  keys,
  listAccounts,
  type Page,
  replaceAccount,
} from "@mcp-gateway/store";
import { fieldChanges, recordAdminChange } from "../log/admin-changes.js";
import { afterCursor } from "./page-cursor.js";
import { nowIso, type ServiceContext } from "./service-context.js";
import { accountView } from "./views.js";

type Credentials = Record<string, string>;

/** The upstream base URL the gateway uses for an integration: configured (MEM0_BASE_URL), else its default. */
export function upstreamBaseUrl(ctx: ServiceContext, integration: string): string {
  return ctx.config.upstreamBaseUrls[integration] ?? getIntegration(integration)?.defaultBaseUrl ?? "";
}

function integrationOrRefuse(name: string): Integration {
  const integration = getIntegration(name);
  if (integration === undefined) {
    throw new GatewayError(
      "validation_failed",
      `unknown integration "${name}"; valid: ${integrationNames.join(", ")}`,
    );
  }
  return integration;
}

function checkCredentialFields(integration: Integration, credentials: Credentials): void {
  const expected = integration.credentialFields;
  const extra = Object.keys(credentials).filter((field) => !expected.includes(field));
  const missing = expected.filter((field) => !credentials[field]?.trim());
  if (missing.length > 0 || extra.length > 0) {
    throw new GatewayError(
      "validation_failed",
      `credentials for ${integration.name} take exactly: ${expected.join(", ")}` +
        (missing.length > 0 ? `; missing: ${missing.join(", ")}` : "") +
        (extra.length > 0 ? `; unknown: ${extra.join(", ")}` : ""),
    );
  }
  // The credential travels in an HTTP header, which carries printable ASCII only: anything else can never
  // work, and would otherwise fail inside the HTTP client as if the upstream were unreachable.
  for (const field of expected) {
    const at = unsendableCharacterAt(credentials[field] ?? "");
    if (at !== undefined) {
      throw new GatewayError(
        "validation_failed",
        `credentials.${field} may hold only printable ASCII characters (it is sent in an HTTP header); ` +
          `character ${at + 1} is not one: check that the whole key was copied and nothing else`,
      );
    }
  }
}

/** The index of the first character outside printable ASCII and the inner space, or undefined. */
function unsendableCharacterAt(value: string): number | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return i;
  }
  return undefined;
}

/** Upstream statuses that mean "these credentials are not accepted" (anything else is not about the key). */
const KEY_REFUSALS = new Set([400, 401, 403]);

/** Checks the credential fields, then asks the upstream whether they work and what they belong to. */
async function checkWithUpstream(
  ctx: ServiceContext,
  integration: Integration,
  credentials: Credentials,
): Promise<Record<string, string>> {
  checkCredentialFields(integration, credentials);
  const result = await resolveContext(integration, credentials, {
    baseUrl: upstreamBaseUrl(ctx, integration.name),
    timeoutMs: LIMITS.credentialCheckTimeoutMs,
  });
  if (result.ok) return { ...result.context };
  if (result.kind === "rejected" && KEY_REFUSALS.has(result.status)) {
    throw new GatewayError(
      "validation_failed",
      `${integration.title} refused these credentials (HTTP ${result.status}): ${result.reason}`,
      { upstream_status: result.status },
    );
  }
  if (result.kind === "rejected") {
    // Throttling, a wrong base URL, a redirect or a body that is not the expected answer say nothing
    // about the key, so they are the upstream's problem (502), not the caller's (400).
    const what =
      result.status === 429
        ? `${integration.title} is rate limiting the credentials check (HTTP 429): ${result.reason}; try again shortly`
        : `${integration.title} answered the credentials check unexpectedly (HTTP ${result.status}): ${result.reason}`;
    throw new GatewayError("upstream_unreachable", what, { upstream_status: result.status });
  }
  throw new GatewayError(
    "upstream_unreachable",
    `could not reach ${integration.title} to check the credentials: ${result.message}`,
  );
}

/** Connects an upstream account: validates the credentials upstream, then stores them sealed. */
export async function createAccount(
  ctx: ServiceContext,
  tenantId: string,
  input: { integration: string; name: string; credentials: Credentials },
): Promise<Record<string, unknown>> {
  const integration = integrationOrRefuse(input.integration);
  const context = await checkWithUpstream(ctx, integration, input.credentials);
  const now = nowIso(ctx);
  const id = newAccountId();
  const record: AccountRecord = {
    v: 1,
    id,
    tenant_id: tenantId,
    integration: integration.name,
    name: input.name,
    sealed_credentials: sealCredentials(ctx, tenantId, id, input.credentials),
    context,
    created_at: now,
    updated_at: now,
  };
  if (!(await insertAccount(ctx.redis, record)))
    throw new GatewayError("not_found", "this tenant was deleted while the account was being connected");
  recordAdminChange(ctx, {
    ...onAccount(tenantId, id),
    action: "integrated_account.created",
    changes: fieldChanges({}, accountView(record), ["integration", "name", "context"]),
  });
  return accountView(record);
}

/** One of the tenant's accounts, or a 404 (also for another tenant's id). */
export async function requireAccount(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
): Promise<AccountRecord> {
  const account = await findAccount(ctx.redis, tenantId, accountId);
  if (account === undefined) throw new GatewayError("not_found", "no such integrated account");
  return account;
}

/** A page of the tenant's accounts. */
export async function listAccountsPage(
  ctx: ServiceContext,
  tenantId: string,
  query: { cursor?: string; limit: number },
): Promise<Page<Record<string, unknown>>> {
  const after = afterCursor(query.cursor);
  const page = await listAccounts(ctx.redis, tenantId, after, query.limit);
  return { result: page.result.map(accountView), next_cursor: page.next_cursor };
}

/**
 * Renames an account and/or rotates its credentials. New credentials are checked upstream and must
 * belong to the same upstream account context: live MCP URLs must not silently start serving another project.
 */
export async function updateAccount(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  input: { name?: string; credentials?: Credentials },
): Promise<Record<string, unknown>> {
  const account = await requireAccount(ctx, tenantId, accountId);
  const integration = integrationOrRefuse(account.integration);
  const next: AccountRecord = { ...account, updated_at: nowIso(ctx) };
  if (input.name !== undefined) next.name = input.name;
  if (input.credentials !== undefined) {
    const context = await checkWithUpstream(ctx, integration, input.credentials);
    if (JSON.stringify(sortKeys(context)) !== JSON.stringify(sortKeys(account.context))) {
      throw new GatewayError(
        "conflict",
        `these credentials belong to a different ${integration.title} account (${describe(context)}, not ${describe(account.context)}); ` +
          "connect them as a new integrated account instead",
      );
    }
    next.sealed_credentials = sealCredentials(ctx, tenantId, accountId, input.credentials);
  }
  if (!(await replaceAccount(ctx.redis, next)))
    throw new GatewayError("not_found", "no such integrated account");
  const changes = fieldChanges(accountView(account), accountView(next), ["name"]) ?? {};
  // Never the credentials themselves: only that they were replaced.
  if (input.credentials !== undefined) changes.credentials = { from: "sealed", to: "rotated" };
  recordAdminChange(ctx, {
    ...onAccount(tenantId, accountId),
    action: "integrated_account.updated",
    changes,
  });
  return accountView(next);
}

/** Deletes an account; all its MCP servers are revoked with it. */
export async function deleteAccount(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
): Promise<{ id: string }> {
  if (
    !(await ctx.acked.commit([keys.tenant(tenantId)], (redis) =>
      deleteAccountCascade(redis, tenantId, accountId),
    ))
  ) {
    throw new GatewayError("not_found", "no such integrated account");
  }
  recordAdminChange(ctx, { ...onAccount(tenantId, accountId), action: "integrated_account.deleted" });
  return { id: accountId };
}

/** Seals credentials for storage, bound to their tenant and account (AAD), with the active key. */
function sealCredentials(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  credentials: Credentials,
): string {
  return sealSecret(
    ctx.config.keys.credentialKeys,
    JSON.stringify(credentials),
    credentialsAad(tenantId, accountId),
  );
}

/** Opens an account's sealed credentials for an upstream call; undefined when they cannot be opened. */
export function openCredentials(ctx: ServiceContext, account: AccountRecord): Credentials | undefined {
  const opened = openSecret(
    ctx.config.keys.credentialKeys,
    account.sealed_credentials,
    credentialsAad(account.tenant_id, account.id),
  );
  return opened.ok ? (JSON.parse(opened.plaintext) as Credentials) : undefined;
}

function sortKeys(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

function describe(context: Record<string, string>): string {
  return sortKeys(context)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function onAccount(tenantId: string, accountId: string) {
  return {
    tenant_id: tenantId,
    resource_type: "integrated_account",
    resource_id: accountId,
    integrated_account_id: accountId,
    mcp_server_id: null,
  } as const;
}
