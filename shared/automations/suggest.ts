/** Edit distance (Levenshtein), case-insensitive, in O(a·b) time and O(b) memory. */
export function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}

/**
 * The candidate closest to what was written, when it is close enough to be a likely typo or
 * confusion: within a third of the longer length, or the same last segment (`stage` for
 * `deal.stage`). Inputs are bounded by the callers (paths and names, not free text).
 */
export function closest(written: string, candidates: readonly string[]): string | undefined {
  const input = written.slice(0, 200);
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(input, candidate);
    if (!best || score < best.score) best = { candidate, score };
  }
  if (best && best.score <= Math.max(2, Math.ceil(Math.max(input.length, best.candidate.length) / 3))) return best.candidate;
  const last = input.split('.').pop()!.toLowerCase();
  return candidates.find((c) => c.split('.').pop()!.toLowerCase() === last);
}
