/**
 * Typo suggestions for names a person typed (`/canary status ordres-api` -> `orders-api`). Pure: the caller hands
 * in the names it knows.
 */

/**
 * The optimal-string-alignment distance (Damerau-Levenshtein without repeated edits of one substring): insertions,
 * deletions, substitutions and swaps of two neighbours cost 1 each, so `ordres` is one edit from `orders`.
 *
 * @example
 * editDistance('ordres-api', 'orders-api') // 1
 */
export function editDistance(a: string, b: string): number {
  // Three rows: the one before the previous is what a swap of two neighbours reaches back to.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * How many edits still read as a typo of a word this long: one per four whole characters, at most 3, so none
 * below 4 characters (every short name is a few edits from every other) and `orders-api` is not `users-api` (3).
 */
export function typoBudget(length: number): number {
  return Math.min(3, Math.floor(length / 4));
}

/**
 * The known names `word` was most likely meant to be: those within its typo budget, closest first (ties in
 * alphabetical order, at most `limit`); failing that, the names it is the start of (`orders` -> `orders-api`).
 * Case is ignored, so a name that differs only in case comes first. Empty when nothing is close: a guess far off
 * is worse than none.
 *
 * @example
 * closestNames('ordres-api', ['billing-api', 'orders-api']) // ['orders-api']
 */
export function closestNames(word: string, names: readonly string[], limit = 3): readonly string[] {
  const typed = word.toLowerCase();
  const budget = typoBudget(typed.length);
  const near = names
    .map((name) => ({ name, distance: editDistance(typed, name.toLowerCase()) }))
    .filter((n) => n.name !== word && n.distance <= budget)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((n) => n.name);
  if (near.length > 0) return near.slice(0, limit);
  if (typed.length < 3) return [];
  return names
    .filter((name) => name.toLowerCase().startsWith(typed) && name.length > typed.length)
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .slice(0, limit);
}
