import type { FastifyInstance } from "fastify";

// A route that declares no querystring schema would otherwise accept any query unchecked, so a typo or a
// stray field (`?tenant_id=…`) on a DELETE would run the delete instead of being refused.
const noQuery = { type: "object", additionalProperties: false, properties: {} } as const;

/**
 * Makes every route registered after this call in the plugin strict about its query: routes without a
 * querystring schema get one that allows no fields. Call it first in each admin routes plugin.
 */
export function strictAdminRequests(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    if (route.method === "HEAD") return;
    route.schema = { ...route.schema, querystring: route.schema?.querystring ?? noQuery };
  });
}
