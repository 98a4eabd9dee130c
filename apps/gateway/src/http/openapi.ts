import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";

/** OpenAPI 3 generated from the route schemas, at /openapi.json, with a browsable UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "mcp-gateway admin API",
        version: "0.1.0",
        description:
          "Tenants, API tokens, integrated accounts and MCP server URLs. Errors use one envelope: " +
          "{statusCode, error, code, message, requestId}.",
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          operatorToken: {
            type: "http",
            scheme: "bearer",
            description: "GATEWAY_ADMIN_TOKEN (only /tenants)",
          },
          apiToken: { type: "http", scheme: "bearer", description: "A tenant API token (mcpg_at_…)" },
        },
      },
    },
    // The MCP endpoint and probes are not part of the admin API's contract.
    hideUntagged: true,
  });
  // The docs page shares the console's origin, so it gets a CSP too: the plugin's own (hashes for its inline
  // scripts), framed by nobody, and without upgrade-insecure-requests, which would break it on plain-http
  // local runs.
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(/\s*upgrade-insecure-requests;?/, ""),
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
