import type { ViewProps } from '../context.ts';

/** The list of automations (built next). */
export function AutomationList(_props: ViewProps) {
  return <h1>Automatisierungen</h1>;
}
