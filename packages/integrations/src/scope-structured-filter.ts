import { describeScope, type EntityScope, isJsonObject, LIMITS } from "@mcp-gateway/core";

/**
 * A scope confined into the "structured" filter form (Mem0 exports, api.md §3.14 and §4.4), failing closed.
 * That endpoint documents only flat AND/OR lists of entity conditions; how it reads anything else (an
 * operator nested in a branch, keys next to an operator, an operator on an id) is not documented, and a
 * confinement that leans on it could leak. So every condition the caller gives must be entity ids with one
 * literal id each, and what goes upstream is always one flat AND list of one-key conditions, the scope's first:
 * nothing is left to the upstream's parser but the form it documents.
 */

/** The filters to send, or why the call is refused (before anything is sent). */
export type ConfinedFilters = { ok: true; filters: Record<string, unknown> } | { ok: false; message: string };

/** Why a value cannot stand for one entity: one literal id, never a wildcard or an operator object. */
export function literalIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string" || id.trim() === "") return "must be a non-empty id";
  if (id.length > LIMITS.scopeIdMaxChars) return `must be at most ${LIMITS.scopeIdMaxChars} characters`;
  // "*" is Mem0's wildcard (any non-null id); control characters have no place in an id.
  const unfit = (char: string): boolean =>
    char === "*" || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f;
  if ([...id].some(unfit)) return "must be one literal id, without * or control characters";
  return undefined;
}

type Ids = Map<string, string>;
type Checked = { ok: true; ids: Ids } | { ok: false; message: string };

/** The scope ANDed into a structured filter (see the module comment); `keys` are the integration's entity keys. */
export function confineStructuredFilters(
  given: unknown,
  scope: EntityScope,
  keys: readonly string[],
  argument: string,
): ConfinedFilters {
  const scopeIds: Ids = new Map(Object.entries(scope));
  if (given === undefined) return flat(scopeIds);
  if (!isJsonObject(given)) return { ok: false, message: `"${argument}" must be a JSON object` };
  const top = Object.keys(given);
  // {} asks for nothing beyond the scope (unscoped, the upstream would refuse it as an empty condition).
  if (top.length === 0) return flat(scopeIds);
  if (top.length === 1 && top[0] === "OR" && Array.isArray(given.OR)) {
    return confineOr(given.OR, scope, keys, argument);
  }
  // An AND list, or else the object itself as one condition (a flat object, a NOT, AND next to OR...).
  const listed = top.length === 1 && top[0] === "AND" && Array.isArray(given.AND);
  const items: readonly unknown[] = listed ? (given.AND as unknown[]) : [given];
  const where = (index: number): string => (listed ? `"${argument}".AND[${index}]` : `"${argument}"`);
  const ids: Ids = new Map(scopeIds);
  for (const [index, item] of items.entries()) {
    const checked = entityCondition(item, keys, where(index));
    if (!checked.ok) return checked;
    const conflict = mergeInto(ids, checked.ids);
    if (conflict !== undefined) {
      const pinned = scopeIds.has(conflict);
      return {
        ok: false,
        message: pinned
          ? `${where(index)} names another ${conflict} than this URL's scope (${describeScope(scope)}), so nothing can match and there is nothing to export`
          : `"${argument}" gives two different ${conflict} values that must both hold, so nothing can match and there is nothing to export`,
      };
    }
  }
  return flat(ids);
}

/**
 * Each branch intersected with the scope; a branch naming another id for a pinned key is dropped. What is left
 * must be one condition to stay flat: either all branches agree, or one is the scope itself (the rest lie inside it).
 */
function confineOr(
  branches: readonly unknown[],
  scope: EntityScope,
  keys: readonly string[],
  argument: string,
): ConfinedFilters {
  const scopeIds: Ids = new Map(Object.entries(scope));
  const kept: Ids[] = [];
  for (const [index, branch] of branches.entries()) {
    const checked = entityCondition(branch, keys, `"${argument}".OR[${index}]`);
    if (!checked.ok) return checked;
    const ids: Ids = new Map(scopeIds);
    if (mergeInto(ids, checked.ids) === undefined) kept.push(ids);
  }
  if (kept.length === 0) {
    return {
      ok: false,
      message: `no branch of "${argument}".OR can match inside this URL's scope (${describeScope(scope)}), so there is nothing to export`,
    };
  }
  if (kept.some((ids) => ids.size === scopeIds.size)) return flat(scopeIds);
  const distinct = new Set(kept.map((ids) => JSON.stringify([...ids].sort())));
  if (distinct.size > 1) {
    return {
      ok: false,
      message: `the branches of "${argument}".OR that lie inside this URL's scope (${describeScope(scope)}) name different entities; on a scoped URL an export filter must come down to one flat condition: export each branch on its own`,
    };
  }
  return flat(kept[0] as Ids);
}

/** One AND item or OR branch: an object of entity keys, each one literal id; anything else is refused. */
function entityCondition(condition: unknown, keys: readonly string[], where: string): Checked {
  const rule = `on a scoped URL export filters take only flat conditions: entity ids (${keys.join(", ")}) with one literal id each, no nested AND/OR/NOT, operators or *`;
  if (!isJsonObject(condition) || Object.keys(condition).length === 0) {
    return { ok: false, message: `${where} must be an object of entity ids; ${rule}` };
  }
  const ids: Ids = new Map();
  for (const [key, id] of Object.entries(condition)) {
    if (!keys.includes(key))
      return { ok: false, message: `${where} has "${key}", not an entity id; ${rule}` };
    const problem = literalIdProblem(id);
    if (problem !== undefined) return { ok: false, message: `${where}.${key} ${problem}; ${rule}` };
    ids.set(key, id as string);
  }
  return { ok: true, ids };
}

/** Adds `more` to `into`; answers the first key given two different ids (the conjunction can never hold). */
function mergeInto(into: Ids, more: Ids): string | undefined {
  for (const [key, id] of more) {
    const had = into.get(key);
    if (had !== undefined && had !== id) return key;
    into.set(key, id);
  }
  return undefined;
}

/** The documented flat form: one AND list of one-key conditions. */
function flat(ids: Ids): ConfinedFilters {
  return { ok: true, filters: { AND: [...ids].map(([key, id]) => ({ [key]: id })) } };
}
