import type { AccountRecord } from "@mcp-gateway/store";
import type { FastifyRequest } from "fastify";
import { requireAccount } from "../services/accounts.service.js";
import { getMcpServer } from "../services/mcp-servers.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { tenantOf } from "./session-hooks.js";
import { as, isId, type McpServerView } from "./views.js";

/**
 * The account and MCP server a page under `/accounts/:id/servers/:sid/…` is about, in the signed-in tenant;
 * undefined when an id is malformed (the page answers 404). Unknown ids throw not-found from the services.
 */
export async function serverOfPage(
  ctx: ServiceContext,
  request: FastifyRequest<{ Params: { id: string; sid: string } }>,
): Promise<{ tenantId: string; account: AccountRecord; server: McpServerView } | undefined> {
  const { id, sid } = request.params;
  if (!isId("acc", id) || !isId("mcp", sid)) return undefined;
  const tenantId = tenantOf(request);
  const account = await requireAccount(ctx, tenantId, id);
  const server = as<McpServerView>(await getMcpServer(ctx, tenantId, account.id, sid));
  return { tenantId, account, server };
}
