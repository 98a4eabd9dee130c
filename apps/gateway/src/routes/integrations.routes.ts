import { catalogueSummary, integrationNames, integrations } from "@mcp-gateway/integrations";
import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { tenantSecurity } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import type { ServiceContext } from "../services/service-context.js";

/** The catalogue: integrations with their resources, methods, tags and tool names. */
export async function integrationsRoutes(
  app: FastifyInstance,
  { ctx }: { ctx: ServiceContext },
): Promise<void> {
  strictAdminRequests(app);
  // onRequest, not preHandler: a caller is authenticated before its body is read or validated.
  app.addHook("onRequest", requireTenant(ctx));
  const result = integrationNames.map((n) => {
    const integration = integrations[n];
    if (integration === undefined) throw new Error(`integration ${n} is listed but not registered`);
    return catalogueSummary(integration);
  });
  app.get(
    "/integrations",
    {
      schema: { tags: ["integrations"], summary: "The integration catalogue", security: tenantSecurity },
    },
    async () => ({ result }),
  );
}
