import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface DynamoRequest {
  operation: string;
  tables: string[];
  /** Items written (transactions and batches count each item). */
  items: number;
}

/**
 * Counts every request a DynamoDB client sends, by SDK middleware: the operation, the tables it
 * touches and how many items it writes.
 */
export function countRequests(client: DynamoDBClient): { requests: DynamoRequest[]; reset(): void } {
  const requests: DynamoRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      const transact = (input.TransactItems ?? []) as Array<Record<string, { TableName: string }>>;
      const tables = input.TableName
        ? [input.TableName as string]
        : transact.length
          ? transact.map((item) => Object.values(item)[0]!.TableName)
          : Object.keys(input.RequestItems ?? {});
      requests.push({ operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''), tables, items: transact.length || 1 });
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return { requests, reset: () => void requests.splice(0) };
}

export function table(title: string, input: object[]): void {
  const rows = input as Array<Record<string, unknown>>;
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`;
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c] ?? ''))));
}

/** A figure beside its target, and whether it meets it. */
export interface Checked {
  figure: string;
  value: number;
  target: string;
  pass: boolean;
}

/** Checks `value` against `op limit`; the JSON keeps value, target and the outcome. */
export function check(figure: string, value: number, op: '<' | '≤' | '≥', limit: number, unit = ''): Checked {
  const pass = Number.isFinite(value) && (op === '<' ? value < limit : op === '≤' ? value <= limit : value >= limit);
  return { figure, value, target: `${op} ${limit}${unit}`, pass };
}

/** How a table shows a checked figure: met, or short of its target. */
export const mark = (checked: Pick<Checked, 'pass'>) => (checked.pass ? 'pass' : 'SHORT');
