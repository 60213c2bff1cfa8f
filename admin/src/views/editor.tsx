import type { ViewProps } from '../context.ts';

/** Creating and editing an automation (built next). */
export function Editor({ id }: ViewProps & { id?: string; preset?: string }) {
  return <h1>{id ? 'Automatisierung bearbeiten' : 'Neue Automatisierung'}</h1>;
}
