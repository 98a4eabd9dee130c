import type { AccountContext, ArgumentParameter, HttpMapping, JsonSchema } from "./format.js";
import { type ErrorObject, validatorFor } from "./schema-validator.js";
import type { Tool } from "./tool-builder.js";
import { headerValueProblem } from "./upstream-header.js";
import { pathSegmentProblem } from "./upstream-path.js";

export type ArgumentCheck = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

/** The pieces of one upstream request, split back out of the flat arguments. */
export interface RequestParts {
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  /** undefined = send no body. */
  readonly body: unknown;
  /** Header arguments, by lower-cased wire name. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Validates a model's arguments against the tool before any upstream call. Every problem names the
 * field and the expected shape, so the model can correct itself in one step.
 */
export function checkArguments(tool: Tool, input: unknown): ArgumentCheck {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) {
    return refuse(tool, [`arguments must be a JSON object, got ${describeValue(input)}`]);
  }
  const args = input as Record<string, unknown>;
  const issues: string[] = [];
  const misplaced = misplacedKeys(tool.http.parameters, args);
  for (const { key, container } of misplaced) {
    const corrected = JSON.stringify({ [container]: { [key]: args[key] } });
    issues.push(`put ${key} inside ${container}, ${corrected}`);
  }
  const validate = validatorFor(tool.inputSchema);
  if (validate(args) !== true) {
    // The corrected shape already covers both the stray key and its missing container.
    const skip = new Set(misplaced.flatMap((entry) => [entry.key, entry.container]));
    for (const text of describeSchemaErrors(validate.errors ?? [], skip)) {
      if (!issues.includes(text)) issues.push(text);
    }
  }
  for (const parameter of tool.http.parameters) {
    const value = args[parameter.name];
    if (parameter.mustMentionOneOf === undefined || value === undefined) continue;
    if (!mentionsAnyKey(value, parameter.mustMentionOneOf)) {
      const first = parameter.mustMentionOneOf[0] ?? "id";
      issues.push(
        `${parameter.name} must name at least one of ${parameter.mustMentionOneOf.join(", ")}, e.g. ${JSON.stringify({ [parameter.name]: { [first]: "usr-123" } })}`,
      );
    }
  }
  for (const parameter of tool.http.parameters) {
    const value = args[parameter.name];
    if (parameter.in !== "path" || value === undefined) continue;
    const problem = pathSegmentProblem(String(value));
    if (problem !== undefined)
      issues.push(`"${parameter.name}" ${problem}: it must be one id, as given by the API`);
  }
  for (const parameter of tool.http.parameters) {
    const value = args[parameter.name];
    if (parameter.in !== "header" || value === undefined) continue;
    const problem = headerValueProblem(String(value));
    if (problem !== undefined) issues.push(`"${parameter.name}" ${problem}`);
  }
  for (const group of tool.http.requireOneOf ?? []) {
    if (!group.some((name) => args[name] !== undefined)) {
      issues.push(`give at least one of ${group.join(", ")} (top-level arguments)`);
    }
  }
  for (const group of tool.http.requireExactlyOneOf ?? []) {
    const given = group.filter((name) => args[name] !== undefined);
    if (given.length === 0) issues.push(`give one of ${group.join(" or ")} (exactly one)`);
    if (given.length > 1)
      issues.push(`give only one of ${given.join(" and ")}, not both: they are two forms of one input`);
  }
  return issues.length > 0 ? refuse(tool, issues) : { ok: true, args };
}

/** Splits validated arguments back into path, query and body, filling context values from the account. */
export function splitArguments(
  http: HttpMapping,
  args: Record<string, unknown>,
  context: AccountContext,
): RequestParts {
  const pathValues: Record<string, string> = {};
  const query: [string, string][] = [];
  const headers: Record<string, string> = {};
  let body: Record<string, unknown> | undefined;
  let rootBody: unknown;
  let hasRootBody = false;
  const place = (location: string, wireName: string, value: unknown): void => {
    switch (location) {
      case "path":
        pathValues[wireName] = String(value);
        break;
      case "query":
        appendQuery(query, wireName, value);
        break;
      case "body":
        body = { ...body, [wireName]: value };
        break;
      case "body_root":
        rootBody = value;
        hasRootBody = true;
        break;
      case "header":
        headers[wireName.toLowerCase()] = String(value);
        break;
    }
  };
  if (http.parameters.some((p) => p.in === "body") || http.contextParameters?.some((p) => p.in === "body"))
    body = {};
  for (const parameter of http.parameters) {
    // Not `??`: an explicit null is a value Mem0 reads ("never expire", "clear the feedback").
    const given = args[parameter.name];
    const value = given !== undefined ? given : contextDefault(parameter, context);
    if (value === undefined) continue;
    const shorthand = parameter.shorthandFor;
    const target =
      shorthand === undefined ? parameter : http.parameters.find((p) => p.name === shorthand.parameter);
    if (target === undefined) throw new Error(`${parameter.name} is a shorthand for an unknown argument`);
    place(
      target.in,
      target.wireName ?? target.name,
      shorthand === undefined ? value : shorthand.expand(value),
    );
  }
  for (const parameter of http.contextParameters ?? []) {
    const value = context[parameter.fromContext];
    if (value === undefined || value === "") {
      throw new Error(
        `account context has no "${parameter.fromContext}"; it should have been resolved at connect time`,
      );
    }
    place(parameter.in, parameter.name, value);
  }
  const path = http.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = pathValues[name];
    if (value === undefined) throw new Error(`path parameter {${name}} of ${http.path} has no value`);
    return encodeURIComponent(value);
  });
  return { path, query, body: hasRootBody ? rootBody : body, headers };
}

function contextDefault(parameter: ArgumentParameter, context: AccountContext): string | undefined {
  return parameter.defaultFromContext === undefined ? undefined : context[parameter.defaultFromContext];
}

function appendQuery(query: [string, string][], name: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) query.push([name, scalarText(item)]);
  } else {
    query.push([name, scalarText(value)]);
  }
}

function scalarText(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

function refuse(tool: Tool, issues: readonly string[]): ArgumentCheck {
  return {
    ok: false,
    message: `Invalid arguments for ${tool.name}: ${issues.join("; ")}. Example of a valid call: ${JSON.stringify(tool.example)}`,
  };
}

/** Top-level keys that belong inside an object argument (and are not arguments themselves). */
function misplacedKeys(
  parameters: readonly ArgumentParameter[],
  args: Record<string, unknown>,
): { key: string; container: string }[] {
  const declared = new Set(parameters.map((parameter) => parameter.name));
  const found: { key: string; container: string }[] = [];
  for (const parameter of parameters) {
    for (const key of parameter.nestedKeys ?? []) {
      if (!declared.has(key) && args[key] !== undefined) found.push({ key, container: parameter.name });
    }
  }
  return found;
}

function mentionsAnyKey(value: unknown, keys: readonly string[]): boolean {
  if (Array.isArray(value)) return value.some((item) => mentionsAnyKey(item, keys));
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, inner]) => keys.includes(key) || mentionsAnyKey(inner, keys));
}

function fieldName(instancePath: string, property?: string): string {
  const segments = instancePath.split("/").slice(1);
  if (property !== undefined) segments.push(property);
  return segments.map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~")).join(".");
}

/**
 * One line per problem. The branches of an anyOf (how the schemas spell "a string or null") are folded into
 * one line: a branch whose type matched says what else is wrong with the value; otherwise the line lists the
 * accepted types, as a type list would have.
 */
function describeSchemaErrors(errors: readonly ErrorObject[], skip: ReadonlySet<string>): string[] {
  const unions = errors.filter((error) => error.keyword === "anyOf");
  const branchOf = (error: ErrorObject): ErrorObject | undefined =>
    unions.find((union) => error !== union && error.schemaPath.startsWith(`${union.schemaPath}/`));
  const texts: string[] = [];
  for (const error of errors) {
    if (branchOf(error) !== undefined) continue;
    const text =
      error.keyword === "anyOf"
        ? describeUnion(
            error,
            errors.filter((inner) => branchOf(inner) === error),
            skip,
          )
        : describeSchemaError(error, skip);
    if (text !== undefined) texts.push(text);
  }
  return texts;
}

function describeUnion(
  union: ErrorObject,
  branchErrors: readonly ErrorObject[],
  skip: ReadonlySet<string>,
): string | undefined {
  const branches = new Map<string, ErrorObject[]>();
  for (const error of branchErrors) {
    const index = error.schemaPath.slice(union.schemaPath.length + 1).split("/")[0] ?? "";
    branches.set(index, [...(branches.get(index) ?? []), error]);
  }
  const otherTypes: string[] = [];
  let matchedType: ErrorObject | undefined;
  for (const errors of branches.values()) {
    const typeError = errors.find(
      (error) => error.keyword === "type" && error.instancePath === union.instancePath,
    );
    if (typeError !== undefined) otherTypes.push(String((typeError.params as { type: unknown }).type));
    else matchedType ??= errors[0];
  }
  const field = `"${fieldName(union.instancePath) || "arguments"}"`;
  if (matchedType === undefined) {
    return `${field} must be ${otherTypes.join(" or ").replaceAll(",", " or ")}, got ${describeValue(union.data)}`;
  }
  const detail = describeSchemaError(matchedType, skip);
  if (detail === undefined) return undefined;
  return otherTypes.length > 0 ? `${detail} (or else ${otherTypes.join(" or ")})` : detail;
}

function describeSchemaError(error: ErrorObject, skipTopLevel: ReadonlySet<string>): string | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      if (error.instancePath === "" && skipTopLevel.has(missing)) return undefined;
      const schema = (error.parentSchema as { properties?: Record<string, JsonSchema> } | undefined)
        ?.properties?.[missing];
      return `missing required argument "${fieldName(error.instancePath, missing)}" (${shapeOf(schema)})`;
    }
    case "additionalProperties": {
      const extra = String(params.additionalProperty);
      if (error.instancePath === "" && skipTopLevel.has(extra)) return undefined;
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      return `unknown argument "${fieldName(error.instancePath, extra)}"; accepted: ${allowed.join(", ") || "none"}`;
    }
    case "type":
      return `"${fieldName(error.instancePath)}" must be ${String(params.type).replaceAll(",", " or ")}, got ${describeValue(error.data)}`;
    case "enum":
      return `"${fieldName(error.instancePath)}" must be one of ${JSON.stringify(params.allowedValues)}, got ${JSON.stringify(error.data)}`;
    default:
      return `"${fieldName(error.instancePath) || "arguments"}" ${error.message ?? "is invalid"}`;
  }
}

function shapeOf(schema: JsonSchema | undefined): string {
  if (schema === undefined) return "see the input schema";
  const type = schema.type;
  if (type === "array") return `an array of ${shapeOf(schema.items as JsonSchema | undefined)}`;
  if (Array.isArray(type)) return type.join(" or ");
  if (Array.isArray(schema.anyOf))
    return (schema.anyOf as JsonSchema[]).map((branch) => shapeOf(branch)).join(" or ");
  return typeof type === "string" ? type : "a JSON value";
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value).slice(0, 60)}` : `a ${typeof value}`;
}
