import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { responses } from "./schemas.js";

const ERROR_RESPONSE = {
  description:
    "The error envelope: statusCode, error, code (the catalogue's stable code), message (what to fix), requestId; " +
    "5xx messages never carry internals. A 503 comes with Retry-After.",
  content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
} as const;

/** Every operation documents its 4XX and 5XX answers as the one error envelope, not just its 2xx. */
function withErrorResponses<T>(document: T): T {
  const doc = document as {
    paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, ErrorEnvelope: responses.error },
  };
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== "object" || operation === null || operation.responses === undefined) continue;
      operation.responses["4XX"] ??= ERROR_RESPONSE;
      operation.responses["5XX"] ??= ERROR_RESPONSE;
    }
  }
  return document;
}

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
    transformObject: (document) =>
      withErrorResponses("openapiObject" in document ? document.openapiObject : document.swaggerObject),
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
