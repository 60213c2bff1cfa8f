import { warningMessage } from '../messages.ts';

/** Warnings (of an automation or a step) in German, each marked for screen readers; the API's English as tooltip. */
export function WarningList({ warnings, id, label }: { warnings: ReadonlyArray<{ code: string; message: string; params?: Record<string, unknown> }>; id?: string; label?: string }) {
  if (warnings.length === 0) return null;
  return (
    <ul class="warnings" {...(id ? { id } : {})} {...(label ? { 'aria-label': label } : {})}>
      {warnings.map((w, i) => (
        <li key={i} class="warning" title={w.message}>
          <span aria-hidden="true">⚠ </span>
          <span class="visually-hidden">Hinweis: </span>
          {warningMessage(w)}
        </li>
      ))}
    </ul>
  );
}
