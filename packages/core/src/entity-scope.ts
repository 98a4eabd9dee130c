/**
 * Entity scope: an MCP URL pinned to upstream entities (Mem0: `{"user_id": "usr-99"}`, plus agent_id, app_id,
 * run_id). Several keys mean AND: a record is inside the scope only when it carries every pinned id.
 *
 * The signed token holds the scope the URL was minted with; the server record may add keys later (PATCH narrows),
 * never drop or change one. So the scope in force is the signed one with the record's additions, and a signed key
 * always wins over the record's value for it.
 */

/** Entity key -> the one id it is pinned to. */
export type EntityScope = Readonly<Record<string, string>>;

/** True when the scope pins at least one entity. */
export function isScoped(scope: EntityScope | undefined): scope is EntityScope {
  return scope !== undefined && Object.keys(scope).length > 0;
}

/** The scope in force: the signed scope plus what the record added (the signed value wins on any key). */
export function effectiveScope(
  signed: EntityScope | undefined,
  recorded: EntityScope | undefined,
): EntityScope | undefined {
  const merged = sortedScope({ ...(recorded ?? {}), ...(signed ?? {}) });
  return isScoped(merged) ? merged : undefined;
}

/** The same scope with its keys in sorted order, so equal scopes have one text (token claims, cache keys). */
export function sortedScope(scope: EntityScope): EntityScope {
  return Object.fromEntries(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * What a PATCH to the scope would take away: keys it drops and keys whose id it changes. Empty lists mean the new
 * scope only adds keys (or is the same), which is allowed.
 */
export function scopeWidening(
  current: EntityScope | undefined,
  next: EntityScope | undefined,
): { removed: string[]; changed: string[] } {
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [key, value] of Object.entries(current ?? {})) {
    const wanted = next?.[key];
    if (wanted === undefined) removed.push(key);
    else if (wanted !== value) changed.push(key);
  }
  return { removed, changed };
}

/** The scope in words, e.g. `user_id "usr-99" and app_id "support"`. */
export function describeScope(scope: EntityScope): string {
  return Object.entries(scope)
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`)
    .join(" and ");
}
