/**
 * Sets `key` in a per-instance memo that keeps at most `maxEntries`: past that, the entry inserted first goes
 * (a Map iterates in insertion order). Re-setting a key moves it to the newest place.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  map.delete(key);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}
