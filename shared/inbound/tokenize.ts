import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/**
 * Runs htmlparser2's Tokenizer (linear in the input: no tree, no close-tag search) over HTML with
 * the callbacks given; every other callback does nothing.
 */
export function tokenize(html: string, callbacks: Partial<TokenizerCallbacks>): void {
  const noop = () => undefined;
  const all: TokenizerCallbacks = {
    onattribdata: noop,
    onattribentity: noop,
    onattribend: noop,
    onattribname: noop,
    oncdata: noop,
    onclosetag: noop,
    oncomment: noop,
    ondeclaration: noop,
    onend: noop,
    onopentagend: noop,
    onopentagname: noop,
    onprocessinginstruction: noop,
    onselfclosingtag: noop,
    ontext: noop,
    ontextentity: noop,
    ...callbacks,
  };
  const tokenizer = new Tokenizer({ decodeEntities: true }, all);
  tokenizer.write(html);
  tokenizer.end();
}
