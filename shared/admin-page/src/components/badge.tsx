import { statusLabel, stepStatusLabel } from '../words.ts';

/**
 * A run's (or step's) status as a badge: the German word with a sign before it, so the status
 * never rests on colour alone; the colour comes from the status class in app.css.
 */
const SIGNS: Record<string, string> = {
  succeeded: '✓',
  partial: '◐',
  skipped: '↷',
  failed: '✕',
  uncertain: '?',
  waiting: '◷',
  running: '…',
  started: '…',
  pending: '·',
};

export function StatusBadge({ status, step = false }: { status: string | undefined; step?: boolean }) {
  const label = step && status ? stepStatusLabel(status) : statusLabel(status);
  return (
    <span class={`badge ${status ?? 'never'}`}>
      <span aria-hidden="true" class="badge-sign">{SIGNS[status ?? ''] ?? '–'}</span> {label}
    </span>
  );
}
