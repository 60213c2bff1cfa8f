import { INBOUND_LIMITS, type InboundLimits } from './limits.ts';

/**
 * A linear pre-scan of a raw MIME message: reads every header block and follows the multipart
 * boundaries, counting header fields, header bytes, parts and nesting, and stops at the first
 * bound broken. It decodes nothing but the few header values it needs (Content-Type,
 * Content-Disposition, Content-Transfer-Encoding), never backtracks, and looks at each byte a
 * bounded number of times, so it costs the same whatever the message holds. The full parse
 * (mailparser) runs only on a message that passed it.
 */

/** One header field: where it is in the raw message. Values are decoded on demand. */
export interface HeaderField {
  /** The field name, lower-cased (`''` for a line without a colon). */
  key: string;
  /** Offset of the value (after the colon) and of the end of the field (its last line, without CRLF). */
  valueStart: number;
  end: number;
  /** Offset of the field's first byte and of the byte after its last line ending. */
  start: number;
  next: number;
}

export interface MessageScan {
  /** Empty when the message keeps every bound; else why it does not, for people. */
  refusal?: string;
  /** The message's own header fields (top level), as far as they were read. */
  headers: HeaderField[];
  stats: { headerFields: number; headerBytes: number; parts: number; depth: number };
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;
const COLON = 0x3a;

/** The value of a header field, unfolded (line breaks removed) and decoded as UTF-8, trimmed. */
export function headerValue(raw: Buffer, field: HeaderField): string {
  return raw.toString('utf8', field.valueStart, field.end).replace(/\r?\n/g, '').trim();
}

/** The values of every field named `name` (case-insensitive), in order. */
export function headerValues(raw: Buffer, fields: readonly HeaderField[], name: string): string[] {
  const key = name.toLowerCase();
  return fields.filter((f) => f.key === key).map((f) => headerValue(raw, f));
}

interface Budget {
  fields: number;
  bytes: number;
}

interface HeaderBlock {
  fields: HeaderField[];
  /** Where the body starts (after the blank line), or where a delimiter line cut the block short. */
  bodyStart: number;
  overflow?: 'fields' | 'bytes';
}

/**
 * Reads one header block from `pos`: fields until a blank line (or the end, or a delimiter line of
 * an open multipart, as mailsplit does). Every field and byte is counted against the budget, which
 * the whole message shares; the scan stops as soon as it is spent.
 */
export function scanHeaderBlock(raw: Buffer, pos: number, budget: Budget, limits: Pick<InboundLimits, 'maxHeaderFields' | 'maxHeaderBytes'>, isDelimiter?: (start: number, end: number) => boolean): HeaderBlock {
  const fields: HeaderField[] = [];
  let current: HeaderField | undefined;
  while (pos < raw.length) {
    const newline = raw.indexOf(LF, pos);
    const next = newline < 0 ? raw.length : newline + 1;
    let end = newline < 0 ? raw.length : newline;
    if (end > pos && raw[end - 1] === CR) end--;
    if (end === pos) return { fields, bodyStart: next };
    if (isDelimiter?.(pos, end)) return { fields, bodyStart: pos };
    budget.bytes += next - pos;
    if (budget.bytes > limits.maxHeaderBytes) return { fields, bodyStart: next, overflow: 'bytes' };
    if ((raw[pos] === SP || raw[pos] === HT) && current) {
      current.end = end;
      current.next = next;
    } else {
      budget.fields++;
      if (budget.fields > limits.maxHeaderFields) return { fields, bodyStart: next, overflow: 'fields' };
      const colon = raw.subarray(pos, end).indexOf(COLON);
      const key = colon < 0 ? '' : raw.toString('latin1', pos, pos + colon).trim().toLowerCase();
      current = { key, start: pos, valueStart: colon < 0 ? end : pos + colon + 1, end, next };
      fields.push(current);
    }
    pos = next;
  }
  return { fields, bodyStart: raw.length };
}

/** Media type (lower-cased) and boundary parameter of a Content-Type value. */
export function contentTypeOf(value: string | undefined): { type: string; boundary: string | null } {
  if (!value) return { type: 'text/plain', boundary: null };
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return { type, boundary: type.startsWith('multipart/') ? boundaryParam(value) : null };
}

function boundaryParam(value: string): string | null {
  const lower = value.toLowerCase();
  let at = lower.indexOf('boundary');
  while (at >= 0) {
    const before = at === 0 ? ';' : lower[at - 1]!;
    let i = at + 'boundary'.length;
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
    if ((before === ';' || before === ' ' || before === '\t') && value[i] === '=') {
      i++;
      while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
      let boundary = '';
      if (value[i] === '"') {
        for (i++; i < value.length && value[i] !== '"'; i++) {
          if (value[i] === '\\' && i + 1 < value.length) i++;
          boundary += value[i];
        }
      } else {
        const start = i;
        while (i < value.length && value[i] !== ';' && value[i] !== ' ' && value[i] !== '\t' && value[i] !== '(') i++;
        boundary = value.slice(start, i);
      }
      boundary = boundary.trimEnd();
      // A boundary is ASCII (RFC 2046); mailsplit ignores any other, and so does this scan.
      return boundary !== '' && /^[\x20-\x7e]+$/.test(boundary) ? boundary : null;
    }
    at = lower.indexOf('boundary', at + 1);
  }
  return null;
}

/**
 * Scans the message's structure against the limits. Linear in the message's size: each line is
 * found once with indexOf, and a line is decoded only when it can be a delimiter of an open
 * multipart (it starts with `--` and is no longer than the longest open boundary allows).
 */
export function scanMessage(raw: Buffer, limits: InboundLimits = INBOUND_LIMITS): MessageScan {
  const budget: Budget = { fields: 0, bytes: 0 };
  const stats = { headerFields: 0, headerBytes: 0, parts: 0, depth: 0 };
  const open: Array<{ boundary: string; depth: number }> = [];
  const byBoundary = new Map<string, number[]>();
  let longestBoundary = 0;
  let headers: HeaderField[] = [];

  const result = (refusal?: string): MessageScan => {
    stats.headerFields = budget.fields;
    stats.headerBytes = budget.bytes;
    return { ...(refusal ? { refusal } : {}), headers, stats };
  };

  const popTo = (length: number) => {
    while (open.length > length) {
      const { boundary } = open.pop()!;
      const indexes = byBoundary.get(boundary)!;
      indexes.pop();
      if (indexes.length === 0) byBoundary.delete(boundary);
    }
  };

  /** The open multipart a line delimits (its index), and whether it closes it. */
  const delimiter = (start: number, end: number): { index: number; closing: boolean } | undefined => {
    if (open.length === 0 || end - start < 3 || raw[start] !== DASH || raw[start + 1] !== DASH) return undefined;
    let last = end;
    while (last > start + 2 && (raw[last - 1] === SP || raw[last - 1] === HT)) last--;
    if (last - start > longestBoundary + 4) return undefined;
    const core = raw.toString('latin1', start + 2, last);
    const same = byBoundary.get(core);
    if (same) return { index: same.at(-1)!, closing: false };
    if (core.endsWith('--')) {
      const closed = byBoundary.get(core.slice(0, -2));
      if (closed) return { index: closed.at(-1)!, closing: true };
    }
    return undefined;
  };
  const isDelimiter = (start: number, end: number) => delimiter(start, end) !== undefined;

  const overflowReason = (overflow: 'fields' | 'bytes') =>
    overflow === 'fields'
      ? `The message has more than ${limits.maxHeaderFields} header fields`
      : `The message's headers exceed ${limits.maxHeaderBytes} bytes`;

  /**
   * A new node at `depth` whose header block starts at `pos`: reads its headers (and those of
   * inline message/rfc822 parts within it), opens its multipart if it is one. Returns where the
   * scan continues, or a refusal.
   */
  const enterNode = (pos: number, depth: number, top: boolean): number | string => {
    for (;;) {
      stats.parts++;
      stats.depth = Math.max(stats.depth, depth);
      if (stats.parts > limits.maxParts) return `The message has more than ${limits.maxParts} MIME parts`;
      if (depth > limits.maxDepth) return `The message's MIME parts are nested deeper than ${limits.maxDepth} levels`;
      const block = scanHeaderBlock(raw, pos, budget, limits, top ? undefined : isDelimiter);
      if (top) {
        headers = block.fields;
        top = false;
      }
      if (block.overflow) return overflowReason(block.overflow);
      const field = (name: string) => {
        const found = block.fields.find((f) => f.key === name);
        return found ? headerValue(raw, found) : undefined;
      };
      const { type, boundary } = contentTypeOf(field('content-type'));
      if (boundary) {
        open.push({ boundary, depth });
        byBoundary.set(boundary, [...(byBoundary.get(boundary) ?? []), open.length - 1]);
        longestBoundary = Math.max(longestBoundary, boundary.length);
        return block.bodyStart;
      }
      // mailsplit reads an inline, unencoded message/rfc822 part as a message of its own.
      const encoding = (field('content-transfer-encoding') ?? '').toLowerCase();
      const disposition = (field('content-disposition') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type === 'message/rfc822' && disposition === 'inline' && ['', '7bit', '8bit', 'binary'].includes(encoding) && block.bodyStart < raw.length) {
        pos = block.bodyStart;
        depth++;
        continue;
      }
      return block.bodyStart;
    }
  };

  const entered = enterNode(0, 1, true);
  if (typeof entered === 'string') return result(entered);
  let pos = entered;
  while (open.length > 0 && pos < raw.length) {
    const newline = raw.indexOf(LF, pos);
    const next = newline < 0 ? raw.length : newline + 1;
    let end = newline < 0 ? raw.length : newline;
    if (end > pos && raw[end - 1] === CR) end--;
    const found = delimiter(pos, end);
    if (!found) {
      pos = next;
      continue;
    }
    const { depth } = open[found.index]!;
    if (found.closing) {
      popTo(found.index);
      pos = next;
      continue;
    }
    popTo(found.index + 1);
    const after = enterNode(next, depth + 1, false);
    if (typeof after === 'string') return result(after);
    pos = after;
  }
  return result();
}
