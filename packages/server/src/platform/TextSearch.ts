/**
 * Prefix terms for Postgres `to_tsquery('simple', ...)`: each word of the query (up to 8) must match
 * the start of a word, so `hik tra` finds "Hiking trails". Null when the query has no word.
 */
export const toTsQuery = (q: string): string | null => {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return words.length === 0
    ? null
    : words
        .slice(0, 8)
        .map((word) => `${word}:*`)
        .join(" & ")
}
