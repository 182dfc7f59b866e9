// Tagged templates for preact (htm): the console's pages are plain ES modules, no build step.
import { h as preactH, Fragment } from 'preact';
import htm from 'htm';

// What a source value can carry that changes how the text around it reads without being seen itself:
// C0 controls but tab and line feed (NUL included), DEL, C1 controls, the Arabic letter mark, the
// zero-width characters and bidirectional marks, the line and paragraph separators, the bidirectional
// embeddings, overrides and isolates, the invisible operators and the byte order mark. A right-to-left
// override in a case number would make "24-005001" of a value that is "100500-42", and one in a file
// name would reverse the row and column written after it.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const INVISIBLE_SPLIT = new RegExp(`(${INVISIBLE.source})`);

const escapeOf = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text as the console shows it: each such character written as its escape (`\u202e`, as the CLI
 * prints it), marked so it is not read as part of the value; the value around it reads as it is.
 */
function visible(child) {
  if (typeof child === 'string') {
    if (!INVISIBLE.test(child)) return child;
    return child.split(INVISIBLE_SPLIT).map((part, i) => (i % 2 ? preactH('span', { class: 'ctl', title: `U+${escapeOf(part).slice(2).toUpperCase()}, an invisible character in the value` }, escapeOf(part)) : part));
  }
  return Array.isArray(child) ? child.map(visible) : child;
}

/** preact's h, with every text child shown by `visible`: no screen can put such a character on screen. */
function h(type, props, ...children) {
  return preactH(type, props, ...children.map(visible));
}

export const html = htm.bind(h);
export { Fragment };
