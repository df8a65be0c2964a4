// "Did you mean …?": the one helper every package uses to suggest a known name for a mistyped one.

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/**
 * The known name nearest to `wanted` by edit distance, ignoring case and surrounding spaces, when it
 * is close enough to be a typo: within `maxDistance` edits (default: a third of the name's length,
 * at least 2). Ties go to the name listed first.
 *
 * @param wanted - the name as the user typed it, e.g. "lgme".
 * @param known - the names that exist.
 * @param opts - `maxDistance`: the most edits a suggestion may be away.
 * @returns the suggestion as spelled in `known`, or undefined.
 * @example
 * ```ts
 * didYouMean('lgme', ['emms', 'logme']); // 'logme'
 * didYouMean('zzzzzz', ['emms', 'logme']); // undefined
 * ```
 */
export function didYouMean(
  wanted: string,
  known: Iterable<string>,
  opts: { readonly maxDistance?: number } = {},
): string | undefined {
  const w = String(wanted).trim().toLowerCase();
  const limit = opts.maxDistance ?? Math.max(2, Math.floor(w.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = editDistance(w, name.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/**
 * `; did you mean "X"?` for a message, or '' when nothing is close (see {@link didYouMean}).
 *
 * @example
 * ```ts
 * `unknown metric "lgme"${didYouMeanText('lgme', ['logme'])}`; // 'unknown metric "lgme"; did you mean "logme"?'
 * ```
 */
export function didYouMeanText(wanted: string, known: Iterable<string>): string {
  const s = didYouMean(wanted, known);
  return s ? `; did you mean "${s}"?` : '';
}
