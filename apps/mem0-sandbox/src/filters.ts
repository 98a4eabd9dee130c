import { isDateOnly, parseInstant } from "./clock.js";
import { isObject } from "./context.js";
import type { MemoryRecord } from "./memory-record.js";

/**
 * The Mem0 v2/v3 filters language (api.md §4): AND/OR/NOT over field conditions, with a per-field operator
 * table. `parseFilters` validates and compiles; `matchesFilter` evaluates a compiled filter against a memory.
 */

const ENTITY_FIELDS = ["user_id", "agent_id", "app_id", "run_id"] as const;
const DATE_FIELDS = ["created_at", "updated_at", "timestamp", "expiration_date"] as const;
type EntityField = (typeof ENTITY_FIELDS)[number];
type DateField = (typeof DATE_FIELDS)[number];

/** §4.1: the top-level key allow-list, in Mem0's order (the 400 message prints it). */
export const ALLOWED_FILTER_KEYS = [
  "AND",
  "OR",
  "NOT",
  "user_id",
  "agent_id",
  "app_id",
  "run_id",
  "created_at",
  "updated_at",
  "timestamp",
  "expiration_date",
  "text",
  "categories",
  "metadata",
  "keywords_search",
  "memory_ids",
  "keywords",
] as const;

const ALLOW_LIST_MESSAGE = `Top-level key must be a logical operator or an allowed field: [${ALLOWED_FILTER_KEYS.map((k) => `'${k}'`).join(", ")}]`;

/** A compiled filter. */
export type Filter =
  | { kind: "and"; items: Filter[] }
  | { kind: "or"; items: Filter[] }
  | { kind: "not"; item: Filter }
  | { kind: "entity"; field: EntityField; op: "eq" | "ne" | "in" | "any"; values: string[] }
  | {
      kind: "date";
      field: DateField;
      op: "on" | "gt" | "gte" | "lt" | "lte" | "ne" | "in";
      values: DateBound[];
    }
  | { kind: "categories"; op: "in" | "contains"; values: string[] }
  | { kind: "metadata"; key: string; op: "eq" | "ne" | "contains"; value: unknown }
  | { kind: "text"; field: string; caseSensitive: boolean; value: string }
  | { kind: "memory_ids"; values: string[] };

/** A date operand: the instant, and whether it was a bare calendar date (then it covers the whole day). */
interface DateBound {
  start: number;
  end: number;
}

export type FilterParse = { ok: true; filter: Filter } | { ok: false; message: string };

class FilterError extends Error {}

/** Nesting deeper than this is refused: real filters nest a few levels, and unbounded recursion could overflow. */
export const FILTER_MAX_DEPTH = 32;

/** Validates and compiles a `filters` object. */
export function parseFilters(input: unknown): FilterParse {
  try {
    return { ok: true, filter: parseCondition(input, 0) };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, message: error.message };
    throw error;
  }
}

function parseCondition(input: unknown, depth: number): Filter {
  if (depth > FILTER_MAX_DEPTH)
    throw new FilterError(`Filters may nest at most ${FILTER_MAX_DEPTH} levels deep.`);
  if (!isObject(input)) throw new FilterError("Each filter condition must be a JSON object.");
  const keys = Object.keys(input);
  if (keys.length === 0) throw new FilterError("A filter condition cannot be an empty object.");
  const parts: Filter[] = [];
  for (const key of keys) {
    // §4.1 quirk: with AND and OR as siblings, the OR branch is silently dropped.
    if (key === "OR" && "AND" in input) continue;
    parts.push(parseKey(key, input[key], depth));
  }
  return parts.length === 1 ? parts[0]! : { kind: "and", items: parts };
}

function parseKey(key: string, value: unknown, depth: number): Filter {
  if (key === "AND" || key === "OR") {
    if (!Array.isArray(value) || value.length === 0)
      throw new FilterError(`${key} takes a non-empty array of conditions.`);
    return {
      kind: key === "AND" ? "and" : "or",
      items: value.map((item) => parseCondition(item, depth + 1)),
    };
  }
  if (key === "NOT") {
    if (!isObject(value))
      throw new FilterError(
        'NOT takes one condition object, e.g. {"NOT": {"categories": {"in": ["spam"]}}}.',
      );
    return { kind: "not", item: parseCondition(value, depth + 1) };
  }
  if ((ENTITY_FIELDS as readonly string[]).includes(key)) return parseEntity(key as EntityField, value);
  if ((DATE_FIELDS as readonly string[]).includes(key)) return parseDate(key as DateField, value);
  switch (key) {
    case "categories":
      return parseCategories(value);
    case "metadata":
      return parseMetadata(value);
    case "keywords":
      return parseKeywords(value);
    case "text":
    case "keywords_search":
      return parseLooseText(key, value);
    case "memory_ids":
      return parseMemoryIds(value);
    default:
      throw new FilterError(ALLOW_LIST_MESSAGE);
  }
}

/** Splits `{op: value, ...}` into pairs, rejecting operators the field does not take. */
function operators(field: string, value: Record<string, unknown>, allowed: string[]): [string, unknown][] {
  const pairs = Object.entries(value);
  if (pairs.length === 0) throw new FilterError(`Filter on '${field}' has no operator.`);
  for (const [op] of pairs) {
    if (!allowed.includes(op))
      throw new FilterError(
        `Operator '${op}' is not supported for field '${field}'. Supported operators: ${allowed.join(", ")}.`,
      );
  }
  return pairs;
}

function requireString(field: string, op: string, value: unknown): string {
  if (typeof value !== "string" || value === "")
    throw new FilterError(`'${field}' ${op} expects a non-empty string.`);
  return value;
}

function requireStringList(field: string, op: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string"))
    throw new FilterError(`'${field}' ${op} expects a non-empty array of strings.`);
  return value as string[];
}

function all(items: Filter[]): Filter {
  return items.length === 1 ? items[0]! : { kind: "and", items };
}

function parseEntity(field: EntityField, value: unknown): Filter {
  if (typeof value === "string") return entityEq(field, requireString(field, "value", value));
  if (!isObject(value))
    throw new FilterError(`'${field}' takes a string, "*", or an object with eq, ne or in.`);
  return all(
    operators(field, value, ["eq", "ne", "in"]).map(([op, operand]): Filter => {
      if (op === "eq") return entityEq(field, requireString(field, op, operand));
      if (op === "ne")
        return { kind: "entity", field, op: "ne", values: [requireString(field, op, operand)] };
      return { kind: "entity", field, op: "in", values: requireStringList(field, op, operand) };
    }),
  );
}

function entityEq(field: EntityField, value: string): Filter {
  return value === "*"
    ? { kind: "entity", field, op: "any", values: [] }
    : { kind: "entity", field, op: "eq", values: [value] };
}

function dateBound(field: string, value: unknown): DateBound {
  const instant = parseInstant(value);
  if (!instant)
    throw new FilterError(
      `'${field}' expects a date (YYYY-MM-DD) or an ISO 8601 datetime, got ${JSON.stringify(value)}.`,
    );
  const start = instant.getTime();
  // A bare calendar date covers its whole (UTC) day.
  const end = typeof value === "string" && isDateOnly(value.trim()) ? start + 86_399_999 : start;
  return { start, end };
}

function parseDate(field: DateField, value: unknown): Filter {
  if (!isObject(value)) return { kind: "date", field, op: "on", values: [dateBound(field, value)] };
  if ("eq" in value)
    throw new FilterError(
      `Operator 'eq' is not supported for field '${field}'; pass the value directly, e.g. {"${field}": "2024-07-01"}.`,
    );
  return all(
    operators(field, value, ["gt", "gte", "lt", "lte", "ne", "in"]).map(([op, operand]): Filter => {
      if (op === "in") {
        if (!Array.isArray(operand) || operand.length === 0)
          throw new FilterError(`'${field}' in expects a non-empty array of dates.`);
        return { kind: "date", field, op: "in", values: operand.map((v) => dateBound(field, v)) };
      }
      return { kind: "date", field, op: op as "gt", values: [dateBound(field, operand)] };
    }),
  );
}

function parseCategories(value: unknown): Filter {
  if (Array.isArray(value))
    return { kind: "categories", op: "in", values: requireStringList("categories", "in", value) };
  if (!isObject(value))
    throw new FilterError(
      '\'categories\' takes {"in": [...]} or {"contains": "..."}; eq and ne are not supported.',
    );
  return all(
    operators("categories", value, ["in", "contains"]).map(
      ([op, operand]): Filter =>
        op === "in"
          ? { kind: "categories", op: "in", values: requireStringList("categories", op, operand) }
          : { kind: "categories", op: "contains", values: [requireString("categories", op, operand)] },
    ),
  );
}

function parseMetadata(value: unknown): Filter {
  if (!isObject(value) || Object.keys(value).length === 0)
    throw new FilterError(
      '\'metadata\' takes an object of top-level keys, e.g. {"metadata": {"source": "email"}}.',
    );
  const parts: Filter[] = [];
  for (const [key, condition] of Object.entries(value)) {
    if (!isObject(condition)) {
      if (Array.isArray(condition))
        throw new FilterError(
          `metadata.${key}: lists are not supported; OR several equality clauses instead.`,
        );
      parts.push({ kind: "metadata", key, op: "eq", value: condition });
      continue;
    }
    const opKeys = Object.keys(condition);
    const known = ["eq", "ne", "contains", "in", "gt", "gte", "lt", "lte", "icontains"];
    if (opKeys.length === 0 || !opKeys.every((op) => known.includes(op)))
      throw new FilterError(
        `metadata.${key}: nested metadata keys are not supported; only top-level keys can be filtered.`,
      );
    for (const [op, operand] of operators(`metadata.${key}`, condition, ["eq", "ne", "contains"])) {
      if (op === "contains" && typeof operand !== "string")
        throw new FilterError(`metadata.${key} contains expects a string.`);
      parts.push({ kind: "metadata", key, op: op as "eq", value: operand });
    }
  }
  return all(parts);
}

function parseKeywords(value: unknown): Filter {
  if (!isObject(value))
    throw new FilterError('\'keywords\' takes {"contains": "..."} (case-sensitive) or {"icontains": "..."}.');
  return all(
    operators("keywords", value, ["contains", "icontains"]).map(
      ([op, operand]): Filter => ({
        kind: "text",
        field: "keywords",
        caseSensitive: op === "contains",
        value: requireString("keywords", op, operand),
      }),
    ),
  );
}

/** `text` and `keywords_search` are allowed but undocumented; the sandbox treats them as substring matches. */
function parseLooseText(field: string, value: unknown): Filter {
  if (typeof value === "string")
    return { kind: "text", field, caseSensitive: false, value: requireString(field, "value", value) };
  if (!isObject(value)) throw new FilterError(`'${field}' takes a string or {"icontains": "..."}.`);
  return all(
    operators(field, value, ["contains", "icontains"]).map(
      ([op, operand]): Filter => ({
        kind: "text",
        field,
        caseSensitive: op === "contains",
        value: requireString(field, op, operand),
      }),
    ),
  );
}

function parseMemoryIds(value: unknown): Filter {
  if (Array.isArray(value))
    return { kind: "memory_ids", values: requireStringList("memory_ids", "value", value) };
  if (!isObject(value)) throw new FilterError("'memory_ids' takes a list of ids or {\"in\": [...]}.");
  const [[, operand]] = operators("memory_ids", value, ["in"]) as [[string, unknown]];
  return { kind: "memory_ids", values: requireStringList("memory_ids", "in", operand) };
}

/** §4.3: whether the filter positively scopes an entity (eq, in or `*` on an entity id, not under NOT). */
export function hasPositiveEntity(filter: Filter): boolean {
  switch (filter.kind) {
    case "and":
      return filter.items.some(hasPositiveEntity);
    case "or":
      return filter.items.every(hasPositiveEntity);
    case "entity":
      return filter.op !== "ne";
    default:
      return false;
  }
}

/** Whether the filter uses a field anywhere (search refuses `keywords`, see MEM-5746). */
export function usesField(filter: Filter, field: string): boolean {
  switch (filter.kind) {
    case "and":
    case "or":
      return filter.items.some((item) => usesField(item, field));
    case "not":
      return usesField(filter.item, field);
    case "text":
      return filter.field === field;
    default:
      return filter.kind === field;
  }
}

function entityValue(record: MemoryRecord, field: EntityField): string | null {
  switch (field) {
    case "user_id":
      return record.userId;
    case "agent_id":
      return record.agentId;
    case "app_id":
      return record.appId;
    case "run_id":
      return record.runId;
  }
}

function dateValue(record: MemoryRecord, field: DateField): number | null {
  switch (field) {
    case "created_at":
    case "timestamp":
      return record.createdAt.getTime();
    case "updated_at":
      return record.updatedAt.getTime();
    case "expiration_date":
      return record.expirationDate === null ? null : (parseInstant(record.expirationDate)?.getTime() ?? null);
  }
}

function matchDate(actual: number | null, op: string, bounds: DateBound[]): boolean {
  const on = (b: DateBound): boolean => actual !== null && actual >= b.start && actual <= b.end;
  const bound = bounds[0]!;
  switch (op) {
    case "on":
      return on(bound);
    case "ne":
      return !on(bound);
    case "in":
      return bounds.some(on);
  }
  if (actual === null) return false;
  switch (op) {
    case "gt":
      return actual > bound.end;
    case "gte":
      return actual >= bound.start;
    case "lt":
      return actual < bound.start;
    default:
      return actual <= bound.end;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function matchMetadata(record: MemoryRecord, key: string, op: string, expected: unknown): boolean {
  const actual = record.metadata?.[key];
  if (op === "eq") return actual !== undefined && sameValue(actual, expected);
  if (op === "ne") return actual === undefined || !sameValue(actual, expected);
  return typeof actual === "string" && actual.toLowerCase().includes(String(expected).toLowerCase());
}

/** Evaluates a compiled filter against a memory. */
export function matchesFilter(record: MemoryRecord, filter: Filter): boolean {
  switch (filter.kind) {
    case "and":
      return filter.items.every((item) => matchesFilter(record, item));
    case "or":
      return filter.items.some((item) => matchesFilter(record, item));
    case "not":
      return !matchesFilter(record, filter.item);
    case "entity": {
      const actual = entityValue(record, filter.field);
      if (filter.op === "any") return actual !== null;
      // §4.2: ne also matches records where the field is null.
      if (filter.op === "ne") return actual !== filter.values[0];
      return actual !== null && filter.values.includes(actual);
    }
    case "date":
      return matchDate(dateValue(record, filter.field), filter.op, filter.values);
    case "categories": {
      const lower = record.categories.map((c) => c.toLowerCase());
      if (filter.op === "in") return filter.values.some((v) => lower.includes(v.toLowerCase()));
      const needle = filter.values[0]!.toLowerCase();
      return lower.some((c) => c.includes(needle));
    }
    case "metadata":
      return matchMetadata(record, filter.key, filter.op, filter.value);
    case "text":
      return filter.caseSensitive
        ? record.memory.includes(filter.value)
        : record.memory.toLowerCase().includes(filter.value.toLowerCase());
    case "memory_ids":
      return filter.values.includes(record.id);
  }
}
