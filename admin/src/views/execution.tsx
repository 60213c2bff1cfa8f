import type { ViewProps } from '../context.ts';

/** One run of an automation (built next). */
export function ExecutionView({ id }: ViewProps & { id: string }) {
  return <h1>Lauf {id}</h1>;
}
