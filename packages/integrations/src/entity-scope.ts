import { describeScope, type EntityScope, isJsonObject, LIMITS } from "@mcp-gateway/core";
import { checkArguments } from "./arguments.js";
import {
  type ExecutionAccount,
  type ExecutionOptions,
  type ExecutionResult,
  executeTool,
} from "./executor.js";
import type { Integration, ScopeRule, ScopeSupport } from "./format.js";
import { getIntegration } from "./registry.js";
import { confineStructuredFilters, literalIdProblem } from "./scope-structured-filter.js";
import { findTool, type Tool } from "./tool-builder.js";

/**
 * Entity-scoped execution: a URL pinned to entities (e.g. `{"user_id": "usr-99"}`; several keys mean AND) runs
 * every tool through here, whether the call came as tools/call or through discovery's call_tool. Each tool has a
 * rule in its integration's scope table (format.ts ScopeRule); a tool without one is never offered, and refused
 * here too should it ever be reached.
 *
 *   reads      the scope is ANDed into the filters, whatever the caller sent (their filters become one operand);
 *   exports    (the structured filter form) accept only literal entity ids and send one flat AND list;
 *   writes     the tool's entity-id arguments are set to the scope; another id, or an entity the scope does not
 *              pin, is refused before any upstream call (a rule may refuse a multi-key scope outright);
 *   one record the record is read by id first; one outside the scope gets the upstream's own "not found"
 *              answer, so a foreign id and a missing id cannot be told apart.
 */

/** The rule that confines a tool on a scoped URL, or undefined when the tool is not offered there. */
export function scopeRuleOf(integration: Integration, toolName: string): ScopeRule | undefined {
  const rules = integration.scope?.rules;
  return rules !== undefined && Object.hasOwn(rules, toolName) ? rules[toolName] : undefined;
}

/** Splits tools into those a scoped URL can offer and those it leaves out (no rule: fail safe). */
export function splitByScope(
  integration: Integration,
  tools: readonly Tool[],
): { confinable: Tool[]; unconfinable: Tool[] } {
  const confinable: Tool[] = [];
  const unconfinable: Tool[] = [];
  for (const tool of tools) (scopeRuleOf(integration, tool.name) ? confinable : unconfinable).push(tool);
  return { confinable, unconfinable };
}

/** Catalogue tools the integration's scope table neither confines nor lists as not offered (should be none). */
export function unclassifiedScopeTools(integration: Integration, tools: readonly Tool[]): string[] {
  const scope = integration.scope;
  if (scope === undefined) return [];
  return tools
    .map((tool) => tool.name)
    .filter((name) => !Object.hasOwn(scope.rules, name) && !Object.hasOwn(scope.notOffered, name));
}

/** Why a scope is not acceptable for an integration (unknown keys, bad ids), or undefined when it is. */
export function scopeProblem(integration: Integration, scope: EntityScope): string | undefined {
  const support = integration.scope;
  if (support === undefined) return `${integration.name} URLs cannot be pinned to an entity`;
  const unknown = Object.keys(scope).filter((key) => !support.keys.includes(key));
  if (unknown.length > 0) {
    return `unknown scope keys for ${integration.name}: ${unknown.join(", ")}; valid keys: ${support.keys.join(", ")}`;
  }
  for (const [key, id] of Object.entries(scope)) {
    const problem = literalIdProblem(id);
    if (problem !== undefined) return `${key} ${problem}`;
  }
  return undefined;
}

/** The sentence a scoped URL adds to what it lists: which entity its tools are confined to, and what that means. */
export function scopeSentence(scope: EntityScope): string {
  return (
    `Scope: this server is confined to ${describeScope(scope)}. Every call stays inside it: the scope is added ` +
    "to filters and entity ids whatever is passed, another entity is refused, and records of other entities " +
    "answer as missing."
  );
}

/** A copy of the tool whose description says which entity it is confined to (tools/list, search_tools). */
export function toolInScope(tool: Tool, scope: EntityScope): Tool {
  const integration = getIntegration(tool.integration);
  const rule = integration === undefined ? undefined : scopeRuleOf(integration, tool.name);
  const refusal = rule === undefined ? undefined : singleKeyRefusal(rule, scope);
  const note = refusal === undefined ? "" : ` On this URL the tool ${refusal}`;
  return { ...tool, description: `${tool.description}\n${scopeSentence(scope)}${note}` };
}

/** What a tool allowed only on single-key scopes says on a scope of several keys; undefined when it may run. */
function singleKeyRefusal(rule: ScopeRule, scope: EntityScope): string | undefined {
  if (rule.kind !== "entity_arguments" || rule.singleKeyOnly === undefined) return undefined;
  if (Object.keys(scope).length < 2) return undefined;
  return `is refused because this URL is confined to several keys (${describeScope(scope)}): ${rule.singleKeyOnly}`;
}

/**
 * The records a scoped server made whose content names no entity (Mem0 exports), kept by the gateway: the
 * server that made one may read it back. `knows` answers false when it cannot tell (fail closed).
 */
export interface ScopedRecordLedger {
  remember(kind: string, id: string): Promise<void>;
  knows(kind: string, id: string): Promise<boolean>;
}

/** Runs a tool inside an entity scope (see the module comment); nothing leaves the scope, whatever `args` hold. */
export async function executeScopedTool(
  tool: Tool,
  args: unknown,
  account: ExecutionAccount,
  scope: EntityScope,
  options: ExecutionOptions = {},
  ledger?: ScopedRecordLedger,
): Promise<ExecutionResult> {
  const integration = getIntegration(tool.integration);
  const support = integration?.scope;
  const rule = integration === undefined ? undefined : scopeRuleOf(integration, tool.name);
  if (integration === undefined || support === undefined || rule === undefined) {
    // Never listed on a scoped URL, so only a wiring bug gets here: refuse rather than run unconfined.
    return notOffered(tool, scope);
  }
  // Anything but an object (or nothing) is refused by the executor's own argument check, before any call.
  if (!(args === undefined || args === null || isJsonObject(args)))
    return executeTool(tool, args, account, options);
  const input: Record<string, unknown> = { ...(args ?? {}) };
  switch (rule.kind) {
    case "filters": {
      const confined = confineFilters(input[rule.argument], scope, rule, support.keys);
      if (!confined.ok) return invalid(confined.message);
      if (rule.remembers !== undefined && ledger === undefined) return notOffered(tool, scope);
      const made = await executeTool(tool, { ...input, [rule.argument]: confined.filters }, account, options);
      await rememberMade(rule.remembers, made, ledger);
      return made;
    }
    case "remembered": {
      if (ledger === undefined) return notOffered(tool, scope);
      const checked = checkArguments(tool, input);
      if (!checked.ok) return { ok: false, kind: "invalid_arguments", message: checked.message };
      // Made elsewhere or never: the upstream's own "not found", without asking it (nothing to leak, no oracle).
      if (!(await ledger.knows(rule.remembered, String(input[rule.idArgument])))) {
        return {
          ok: false,
          kind: "upstream",
          status: rule.notFound.status,
          body: structuredClone(rule.notFound.body),
          rateLimit: null,
        };
      }
      return executeTool(tool, input, account, options);
    }
    case "entity_arguments": {
      const refusal = singleKeyRefusal(rule, scope);
      if (refusal !== undefined) return invalid(`${tool.name} ${refusal}`);
      const problem = entityArgumentProblem(input, scope, support.keys);
      if (problem !== undefined) return invalid(problem);
      if (rule.remembers !== undefined && ledger === undefined) return notOffered(tool, scope);
      const made = await executeTool(tool, { ...input, ...scope }, account, options);
      await rememberMade(rule.remembers, made, ledger);
      return made;
    }
    case "record":
    case "records": {
      const reaching = rule.kind === "record" ? (rule.reachesOtherRecords ?? []) : [];
      const beyond = reaching.find((name) => input[name] !== undefined && input[name] !== false);
      if (beyond !== undefined) {
        return invalid(
          `${beyond} reaches records beyond the one named, which cannot be checked against this URL's scope (${describeScope(scope)}): leave ${beyond} out`,
        );
      }
      const checked = checkArguments(tool, input);
      if (!checked.ok) return { ok: false, kind: "invalid_arguments", message: checked.message };
      const ids =
        rule.kind === "record" ? [input[rule.idArgument]] : itemIds(input[rule.argument], rule.idField);
      const lookup = findTool(integration, support.recordLookup.tool);
      if (lookup === undefined)
        throw new Error(`scope lookup tool ${support.recordLookup.tool} does not exist`);
      if (tool.name === lookup.name) {
        // The get itself is the check: one read, answered only when the record lies inside.
        const read = await executeTool(tool, input, account, options);
        return verdict(read, scope, support) ?? read;
      }
      const outside = await firstRecordOutside(lookup, ids.map(String), scope, support, account, options);
      return outside ?? executeTool(tool, input, account, options);
    }
  }
}

/** After a successful call that made a record, the scoped server remembers its id (read from the result). */
async function rememberMade(
  remembers: { readonly kind: string; readonly idField: string } | undefined,
  made: ExecutionResult,
  ledger: ScopedRecordLedger | undefined,
): Promise<void> {
  if (remembers === undefined || ledger === undefined || !made.ok || !isJsonObject(made.data)) return;
  const id = made.data[remembers.idField];
  if (typeof id === "string" && id !== "") await ledger.remember(remembers.kind, id);
}

function notOffered(tool: Tool, scope: EntityScope): ExecutionResult {
  return invalid(`${tool.name} is not offered on a URL confined to ${describeScope(scope)}`);
}

function invalid(message: string): ExecutionResult {
  return { ok: false, kind: "invalid_arguments", message };
}

type Confined = { ok: true; filters: Record<string, unknown> } | { ok: false; message: string };

/**
 * The scope ANDed into a filter. "nested" languages (Mem0 v3, api.md §4) take any condition as an operand of
 * AND; the "structured" form (Mem0 exports) is confined by scope-structured-filter.ts, which fails closed.
 */
function confineFilters(
  given: unknown,
  scope: EntityScope,
  rule: { readonly form: "nested" | "structured"; readonly argument: string },
  keys: readonly string[],
): Confined {
  if (rule.form === "structured") return confineStructuredFilters(given, scope, keys, rule.argument);
  const scopeItems = Object.entries(scope).map(([key, id]) => ({ [key]: id }));
  if (given === undefined) return { ok: true, filters: { AND: scopeItems } };
  if (!isJsonObject(given)) return { ok: false, message: `"${rule.argument}" must be a JSON object` };
  // {} asks for nothing beyond the scope (unscoped, the upstream would refuse it as an empty condition).
  if (Object.keys(given).length === 0) return { ok: true, filters: { AND: scopeItems } };
  return { ok: true, filters: { AND: [...scopeItems, given] } };
}

/** Why a write's entity ids would leave the scope: another id for a pinned key, or an entity it does not pin. */
function entityArgumentProblem(
  input: Record<string, unknown>,
  scope: EntityScope,
  keys: readonly string[],
): string | undefined {
  const within = `this URL is confined to ${describeScope(scope)}`;
  for (const key of keys) {
    const given = input[key];
    if (given === undefined) continue;
    const pinned = scope[key];
    if (pinned === undefined) {
      return `${within}, so it cannot name ${key}: leave ${key} out (the scope's ids are added for you)`;
    }
    if (given !== pinned) {
      return `${within}: ${key} ${JSON.stringify(given)} is outside it; leave ${key} out or give ${JSON.stringify(pinned)}`;
    }
  }
  return undefined;
}

function itemIds(items: unknown, field: string): unknown[] {
  return Array.isArray(items) ? items.map((item) => (isJsonObject(item) ? item[field] : undefined)) : [];
}

/**
 * Reads each record by id (a few at a time) and returns the answer for the first one that is missing or outside
 * the scope, or undefined when every record lies inside. Outside answers exactly as missing: the upstream's own
 * not-found status and body, with the rate-limit information of the read that found it.
 */
async function firstRecordOutside(
  lookup: Tool,
  ids: readonly string[],
  scope: EntityScope,
  support: ScopeSupport,
  account: ExecutionAccount,
  options: ExecutionOptions,
): Promise<ExecutionResult | undefined> {
  const unique = [...new Set(ids)];
  const answers: (ExecutionResult | undefined)[] = new Array(unique.length);
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && next < unique.length) {
      const index = next++;
      const read = await executeTool(lookup, { id: unique[index] }, account, options);
      const answer = verdict(read, scope, support);
      answers[index] = answer;
      if (answer !== undefined) stop = true;
    }
  };
  const workers = Math.min(LIMITS.scopeRecordChecksInFlight, unique.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return answers.find((answer) => answer !== undefined);
}

/** undefined when the read found a record inside the scope; otherwise the answer the tool gives. */
function verdict(
  read: ExecutionResult,
  scope: EntityScope,
  support: ScopeSupport,
): ExecutionResult | undefined {
  if (!read.ok) return read;
  if (recordInScope(read.data, scope, support.recordLookup.fields)) return undefined;
  const { status, body } = support.recordLookup.notFound;
  return { ok: false, kind: "upstream", status, body: structuredClone(body), rateLimit: read.rateLimit };
}

/** A record is inside when, for every pinned key, one of the fields that carry it holds the pinned id. */
function recordInScope(
  record: unknown,
  scope: EntityScope,
  fields: Readonly<Record<string, readonly string[]>>,
): boolean {
  if (!isJsonObject(record)) return false;
  return Object.entries(scope).every(([key, id]) =>
    (fields[key] ?? [key]).some((field) => Object.hasOwn(record, field) && record[field] === id),
  );
}
