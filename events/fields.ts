import type * as z from 'zod';

/**
 * Field descriptions derived from zod schemas: what a condition may test and a template may print.
 * Derived, never written by hand, so a field added to a model is known everywhere at once.
 */

export type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'string[]' | 'number[]' | 'object[]';

export interface FieldSpec {
  /** Dotted path; a `*` segment stands for any key of a record (e.g. `property.portalIds.*`). */
  path: string;
  type: FieldType;
  /** The closed set of values of an enum field. */
  values?: readonly string[];
  /** A date-time (`2026-11-27T09:15:00Z`) or date (`2026-11-27`) string: the date helpers apply. */
  format?: 'datetime' | 'date';
}

type Def = Record<string, any> & { type: string };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Unwraps optional, default, pipe and the like to the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) current = def.innerType;
    else if (def.type === 'pipe') current = defOf(def.in).type === 'transform' ? def.out : def.in;
    else return current;
  }
  return current;
}

function scalar(schema: z.ZodType): Omit<FieldSpec, 'path'> | undefined {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case 'string': {
      const format = [def.format, ...(def.checks ?? []).map((c: any) => c._zod?.def?.format)].find((f: unknown) => f === 'datetime' || f === 'date');
      return { type: 'string', ...(format ? { format } : {}) };
    }
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', values: Object.values(def.entries as Record<string, string>) };
    case 'literal':
      return typeof def.values[0] === 'number' ? { type: 'number' } : typeof def.values[0] === 'boolean' ? { type: 'boolean' } : { type: 'string', values: def.values.map(String) };
    default:
      return undefined;
  }
}

/** Every field of an object schema, objects included, each with its type. */
export function describeFields(schema: z.ZodType, prefix = ''): FieldSpec[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (def.type === 'object') {
    return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, child]) => fieldOf(child, at(key)));
  }
  return [];
}

function fieldOf(schema: z.ZodType, path: string): FieldSpec[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object') return [{ path, type: 'object' }, ...describeFields(inner, path)];
  if (def.type === 'record') return [{ path, type: 'object' }, ...fieldOf(def.valueType, `${path}.*`)];
  if (def.type === 'array') {
    const element = scalar(def.element);
    if (element?.type === 'number') return [{ path, type: 'number[]' }];
    if (element?.type === 'string') return [{ path, type: 'string[]', ...(element.values ? { values: element.values } : {}) }];
    return [{ path, type: 'object[]' }, ...describeFields(def.element, path)];
  }
  const spec = scalar(inner);
  return spec ? [{ path, ...spec }] : [];
}

/** The spec of a dotted path, where `*` segments in the specs match any key. */
export function findField(fields: readonly FieldSpec[], path: string): FieldSpec | undefined {
  const segments = path.split('.');
  return fields.find((field) => {
    const pattern = field.path.split('.');
    return pattern.length === segments.length && pattern.every((part, i) => part === '*' || part === segments[i]);
  });
}

/** The value at a dotted path of a plain object (array elements: the first). */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) current = current[0];
    if (typeof current !== 'object' || current === null) return undefined;
    current = segment === '*' ? Object.values(current)[0] : (current as Record<string, unknown>)[segment];
  }
  return current;
}
