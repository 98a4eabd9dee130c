import type { FastifyInstance } from "fastify";

// A route that declares no querystring schema would otherwise accept any query unchecked, so a typo or a
// stray field (`?tenant_id=…`) on a DELETE would run the delete instead of being refused.
const noQuery = { type: "object", additionalProperties: false, properties: {} } as const;

/**
 * Makes every route registered after this call in the plugin strict: routes without a querystring schema
 * get one that allows no fields, and bodies are JSON only. Call it first in each admin routes plugin.
 */
export function strictAdminRequests(app: FastifyInstance): void {
  // Fastify parses text/plain by default, which turned a JSON body sent as text into a confusing
  // "body must be object"; without the parser it is a 415 that says to send application/json.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRoute", (route) => {
    if (route.method === "HEAD") return;
    route.schema = { ...route.schema, querystring: route.schema?.querystring ?? noQuery };
  });
}
