/**
 * A strict JSON parser that keeps what a repeated key says instead of dropping all but the last.
 * EventBridge reads `{"a": [x], "a": [y]}` as `{"a": [x, y]}` (either may match), so a pattern's
 * repeated keys are merged: arrays concatenated, objects merged key by key, anything else replaced.
 */
export function parseJsonMergingDuplicates(text: string): unknown {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (!parser.done()) parser.fail('Unexpected data after the JSON value');
  return value;
}

export function mergeDuplicate(existing: unknown, incoming: unknown): unknown {
  if (Array.isArray(existing) && Array.isArray(incoming)) return [...existing, ...incoming];
  if (isPlainObject(existing) && isPlainObject(incoming)) {
    const merged: Record<string, unknown> = { ...existing };
    for (const [key, value] of Object.entries(incoming)) merged[key] = key in merged ? mergeDuplicate(merged[key], value) : value;
    return merged;
  }
  return incoming;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deeper than any pattern may nest (the compiler refuses past 16): the parser stops there rather than recurse further. */
const MAX_DEPTH = 64;

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  value(): unknown {
    const ch = this.text[this.pos];
    if (ch === '{' || ch === '[') {
      if (++this.depth > MAX_DEPTH) this.fail(`Nested deeper than ${MAX_DEPTH} levels`);
      const value = ch === '{' ? this.object() : this.array();
      this.depth--;
      return value;
    }
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail('Unexpected token');
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = Object.create(null);
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { ...result };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('Expected a key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('Expected ":"');
      this.pos++;
      this.skipSpace();
      const value = this.value();
      result[key] = key in result ? mergeDuplicate(result[key], value) : value;
      this.skipSpace();
      const next = this.text[this.pos++];
      if (next === '}') return { ...result };
      if (next !== ',') this.fail('Expected "," or "}"');
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      result.push(this.value());
      this.skipSpace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail('Expected "," or "]"');
    }
  }

  /** Sticky expressions read at the position, never a copy of the rest of the text (linear in the text, whatever its strings). */
  private string(): string {
    STRING.lastIndex = this.pos;
    const match = STRING.exec(this.text);
    if (!match) return this.fail('Malformed string');
    this.pos += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('Malformed number');
    this.pos += match[0].length;
    return Number(match[0]);
  }
}
