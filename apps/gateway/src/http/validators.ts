import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";

// Request validation with two rule sets. Query strings and path params arrive as text, so they are coerced
// ("20" -> 20, "a" -> ["a"]); JSON bodies already carry types, so nothing in a body is coerced: {"name": 7}
// is refused, not quietly turned into "7". Unknown fields are refused everywhere, never dropped.
const shared: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };

function withFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv);
  return ajv;
}

const forBodies = withFormats(new Ajv({ ...shared, coerceTypes: false }));
const forText = withFormats(new Ajv({ ...shared, coerceTypes: "array" }));

/** Fastify validator compiler: strict types for bodies, text coercion for querystring, params and headers. */
export const requestValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === "body" ? forBodies : forText;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<FastifySchema>>;
};
