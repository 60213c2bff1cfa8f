import type { TokenizerCallbacks } from 'htmlparser2';
import { tokenize } from './tokenize.ts';

/**
 * HTML to plain text, for mails that come without a text part. The HTML is only tokenised: no
 * element is built, nothing is rendered, fetched, followed or executed, attributes are never read.
 * Runs in time linear in the input (htmlparser2's tokenizer keeps no element stack, and no regular
 * expression is involved), so a hostile message cannot make it slow.
 */

/** Elements whose content is never text for a reader (`xml`: Office's data islands). */
const DROPPED = new Set(['script', 'style', 'title', 'template', 'xml']);
/** What a `<head>` holds; any other element (or text) ends an unclosed head, as in a browser. */
const HEAD_CONTENT = new Set(['base', 'link', 'meta', 'noscript', 'script', 'style', 'template', 'title', 'xml']);
/** Elements that separate paragraphs (a blank line). */
const PARAGRAPHS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'hr']);
/** Elements that begin and end a line. */
const LINES = new Set([
  'address', 'article', 'aside', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'header', 'legend', 'li', 'main', 'nav', 'section', 'summary', 'tbody', 'tfoot', 'thead', 'tr',
]);
/** Table cells are separated by a space ("Name: | Erika" reads "Name: Erika"). */
const CELLS = new Set(['td', 'th']);
/** Elements whose whitespace is kept as written. */
const PREFORMATTED = new Set(['pre', 'textarea', 'xmp', 'listing']);
const NO_BREAK_SPACE = '\u00a0';

const isCollapsible = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;

export interface HtmlToTextOptions {
  /** Stops collecting text after about this many characters (the rest is still only scanned). @default 100_000 */
  maxLength?: number;
}

/**
 * The text a reader sees in an HTML body: `<script>`, `<style>`, `<title>`, `<template>` and the
 * `<head>` dropped, block elements and `<br>` turned into line breaks (a blank line between
 * paragraphs), entities decoded, whitespace collapsed as a browser does (kept inside `<pre>`),
 * trailing spaces removed. Comments, declarations and CDATA are dropped.
 */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  const maxLength = options.maxLength ?? 100_000;
  const parts: string[] = [];
  let length = 0;
  let breaks = 0; // line breaks owed before the next text (at most 2: one blank line)
  let space = false; // a collapsed space owed before the next text
  let dropped = 0;
  let inHead = false;
  let preformatted = 0;
  let tagName = '';

  const push = (value: string) => {
    if (length >= maxLength || value === '') return;
    const separator = length === 0 ? '' : breaks > 0 ? '\n'.repeat(breaks) : space ? ' ' : '';
    breaks = 0;
    space = false;
    parts.push(separator, value);
    length += separator.length + value.length;
  };
  const lineBreak = (count: 1 | 2) => {
    breaks = Math.max(breaks, count);
    space = false;
  };

  /** Text as a browser lays it out: runs of HTML whitespace become one space, a no-break space stays. */
  const text = (value: string) => {
    if (dropped > 0) return;
    if (inHead) {
      let i = 0;
      while (i < value.length && isCollapsible(value.charCodeAt(i))) i++;
      if (i === value.length) return;
      inHead = false;
    }
    if (preformatted > 0) {
      push(value.replaceAll('\r\n', '\n').replaceAll('\r', '\n').replaceAll(NO_BREAK_SPACE, ' '));
      return;
    }
    let start = -1;
    for (let i = 0; i <= value.length; i++) {
      const code = i < value.length ? value.charCodeAt(i) : 0x20;
      if (isCollapsible(code)) {
        if (start >= 0) {
          push(value.slice(start, i).replaceAll(NO_BREAK_SPACE, ' '));
          start = -1;
        }
        if (i < value.length && breaks === 0) space = true;
      } else if (start < 0) start = i;
    }
  };

  const open = (name: string) => {
    if (name === 'head') inHead = true;
    else if (inHead && !HEAD_CONTENT.has(name)) inHead = false;
    if (DROPPED.has(name)) dropped++;
    if (PREFORMATTED.has(name)) preformatted++;
    if (name === 'br') breaks = Math.min(breaks + 1, 2);
    else if (PARAGRAPHS.has(name)) lineBreak(2);
    else if (LINES.has(name)) lineBreak(1);
    else if (CELLS.has(name)) space = breaks === 0;
  };
  const close = (name: string) => {
    if (name === 'head') inHead = false;
    if (DROPPED.has(name) && dropped > 0) dropped--;
    if (PREFORMATTED.has(name) && preformatted > 0) preformatted--;
    if (name === 'br') open(name);
    else if (PARAGRAPHS.has(name)) lineBreak(2);
    else if (LINES.has(name)) lineBreak(1);
    else if (CELLS.has(name)) space = breaks === 0;
  };

  const callbacks: Partial<TokenizerCallbacks> = {
    ontext: (start, end) => text(html.slice(start, end)),
    ontextentity: (codepoint) => text(String.fromCodePoint(codepoint)),
    onopentagname: (start, end) => {
      tagName = html.slice(start, end).toLowerCase();
    },
    onopentagend: () => open(tagName),
    // A self-closing `<div/>` opens its element, as in a browser; `<br/>` is a line break.
    onselfclosingtag: () => open(tagName),
    onclosetag: (start, end) => close(html.slice(start, end).toLowerCase()),
  };
  tokenize(html, callbacks);

  return parts
    .join('')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}
