import { GatewayError, LIMITS } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";

/** A JSON body that nests deeper than LIMITS.jsonMaxDepth: refused before it is parsed. */
export class JsonNestingError extends GatewayError {
  constructor() {
    super(
      "bad_request",
      `the JSON body nests objects and arrays deeper than ${LIMITS.jsonMaxDepth} levels: flatten it`,
    );
    this.name = "JsonNestingError";
  }
}

/**
 * Whether JSON text opens more than `maxDepth` objects or arrays inside one another. It scans the text
 * once, skipping string contents, so no recursive code (parser, validator, serializer) ever sees a body
 * deep enough to overflow its stack.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Replaces fastify's JSON body parser with one that refuses over-deep nesting first, then parses as
 * before (fastify's own parser, which also refuses __proto__ and constructor.prototype keys).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (nestsDeeperThan(body as string, LIMITS.jsonMaxDepth)) {
      done(new JsonNestingError(), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
