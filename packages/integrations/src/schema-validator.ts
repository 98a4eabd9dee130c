import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import type { JsonSchema } from "./format.js";

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = formatsModule.default;

/** One shared validator: strict, so a malformed catalogue schema fails loudly in tests rather than silently. */
function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

const ajv = createAjv();
const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles (once) and returns a validator for a tool's input schema. */
export function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema as Record<string, unknown>);
    compiled.set(schema, validate);
  }
  return validate;
}

/** True when a schema is itself valid JSON Schema (2020-12 meta-schema), with the errors otherwise. */
export function checkSchema(schema: JsonSchema): { ok: true } | { ok: false; errors: string } {
  const valid = ajv.validateSchema(schema as Record<string, unknown>);
  if (valid === true) return { ok: true };
  return { ok: false, errors: ajv.errorsText(ajv.errors) };
}

export type { ErrorObject };
