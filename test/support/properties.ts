import fc from 'fast-check';

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters, cut)` : text);

/**
 * `fc.assert` with a report cut to a readable length (a counterexample of 20,000 characters would
 * otherwise fill the log): the error first, then the counterexample, seed and path, which replay it.
 */
export function assertProperty<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>, parameters: fc.Parameters<T> = {}): Promise<void> | void {
  const reporter = (details: fc.RunDetails<T>) => {
    if (!details.failed) return;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const example = details.counterexample === null ? '(none)' : fc.stringify(details.counterexample);
    throw new Error(`Property failed after ${details.numRuns} run(s) (seed ${details.seed}, path "${details.counterexamplePath}"): ${cut(error, 2_000)}\nCounterexample: ${cut(example, 1_500)}`);
  };
  if (property.isAsync()) return fc.assert(property as fc.IAsyncProperty<T>, { ...parameters, asyncReporter: async (details) => reporter(details) });
  return fc.assert(property as fc.IProperty<T>, { ...parameters, reporter });
}
