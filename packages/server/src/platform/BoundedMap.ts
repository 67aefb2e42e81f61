/**
 * Sets `key` in a map that holds at most `capacity` entries: when it is full, the entry set first
 * goes (a `Map` iterates in insertion order). For the small process-local memos of the request path
 * (verified tokens, hashed addresses), where a hit must cost no more than a `Map` lookup.
 */
export const setBounded = <K, V>(map: Map<K, V>, capacity: number, key: K, value: V): void => {
  if (map.size >= capacity && !map.has(key)) {
    for (const oldest of map.keys()) {
      map.delete(oldest)
      break
    }
  }
  map.set(key, value)
}
