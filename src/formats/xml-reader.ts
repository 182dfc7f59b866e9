/**
 * Streaming XML reader.
 *
 * Input: a byte stream, a record path (`/p:Root/p:Record` from the root, or `//p:Record` anywhere) and the
 * prefix -> namespace URI table the path is written with.
 * Output: batches of record elements as namespace-resolved trees, each with its 1-based record number,
 * its start line and an XPath pointer. Only one record's tree is in memory at a time, whatever the file
 * size. A well-formedness error ends the file with a `SourceFailure` at its line; records before it stand.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { normalizeEncoding } from './decode.ts';
import { errorReport } from '../errors/hub-error.ts';
import { expandedName, type XmlElement } from './xml-tree.ts';
import { LeadingCommentsFilter, type LeadingComments } from './xml-leading-comments.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

export interface XmlReadOptions {
  file?: string;
  encoding?: string;
  /** `/p:Root/p:Record` or `//p:Record`. */
  record: string;
  namespaces: Record<string, string>;
  /** Records per batch. @defaultValue 200 */
  batchSize?: number;
  /** Comments and white space before the XML declaration: refused, or skipped (xml-leading-comments.ts). @defaultValue `'error'` */
  leadingComments?: LeadingComments;
}

interface Step {
  ns: string;
  local: string;
}

/** Resolve `p:Name` with the mapping's namespace table; an unknown prefix is a mapping error. */
export function resolveStep(step: string, namespaces: Record<string, string>): Step {
  const i = step.indexOf(':');
  if (i === -1) return { ns: namespaces[''] ?? '', local: step };
  const prefix = step.slice(0, i);
  const ns = namespaces[prefix];
  if (ns === undefined) throw new Error(`namespace prefix "${prefix}" is not declared in the mapping's namespaces`);
  return { ns, local: step.slice(i + 1) };
}

export function compileRecordPath(path: string, namespaces: Record<string, string>): { anywhere: boolean; steps: Step[] } {
  const anywhere = path.startsWith('//');
  const steps = path
    .replace(/^\/+/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => resolveStep(s, namespaces));
  if (steps.length === 0) throw new Error(`record path "${path}" names no element`);
  if (anywhere && steps.length !== 1) throw new Error(`record path "${path}": "//" takes exactly one element name`);
  return { anywhere, steps };
}

export async function* readXml(input: Readable, opts: XmlReadOptions): AsyncGenerator<SourceBatch> {
  const { anywhere, steps } = compileRecordPath(opts.record, opts.namespaces);
  const batchSize = opts.batchSize ?? 200;
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: { ns: string; local: string; qname: string; counts: Map<string, number>; index: number }[] = [];
  let current: XmlElement | null = null; // element being built inside a record
  let recordDepth = -1;
  let recordXpath = '';
  let row = 0;
  let batch: SourceItem[] = [];
  let failed = false;

  const matchesRecord = (): boolean => {
    const top = stack[stack.length - 1]!;
    if (anywhere) return top.ns === steps[0]!.ns && top.local === steps[0]!.local;
    if (stack.length !== steps.length) return false;
    for (let i = 0; i < steps.length; i++) {
      if (stack[i]!.ns !== steps[i]!.ns || stack[i]!.local !== steps[i]!.local) return false;
    }
    return true;
  };

  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failed) return;
    const parentCounts = stack.length ? stack[stack.length - 1]!.counts : null;
    const index = parentCounts ? (parentCounts.get(tag.name) ?? 0) + 1 : 1;
    parentCounts?.set(tag.name, index);
    stack.push({ ns: tag.uri, local: tag.local, qname: tag.name, counts: new Map(), index });
    if (current === null && !matchesRecord()) return;
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attrs[expandedName(a.uri, a.local)] = a.value;
    }
    const el: XmlElement = {
      ns: tag.uri,
      local: tag.local,
      qname: tag.name,
      attrs,
      children: [],
      text: '',
      line: parser.line,
      column: parser.column,
      parent: current,
    };
    if (current === null) {
      recordDepth = stack.length;
      recordXpath = '/' + stack.map((s) => `${s.qname}[${s.index}]`).join('/');
    } else {
      current.children.push(el);
    }
    current = el;
  });

  const onText = (t: string): void => {
    if (current !== null) current.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    if (failed) return;
    if (current !== null) {
      if (stack.length === recordDepth) {
        row++;
        batch.push({ format: 'xml', element: current, row, line: current.line, xpath: recordXpath });
        current = null;
        recordDepth = -1;
      } else {
        current = current.parent;
      }
    }
    stack.pop();
  });

  const prolog = new LeadingCommentsFilter(opts.leadingComments ?? 'error');
  parser.on('error', (err: Error) => {
    if (failed) return;
    failed = true;
    const at = prolog.misplaced;
    if (at) {
      batch.push({ format: 'failure', row: row + 1, line: at.line, error: errorReport('HUB_ERR_SOURCE_XML_DECLARATION', at, { file: opts.file, line: at.line, column: at.column }) });
      return;
    }
    const m = /^[^:]*:(\d+):(\d+): (.*)$/s.exec(err.message);
    const line = m ? Number(m[1]) : parser.line;
    batch.push({
      format: 'failure',
      row: row + 1,
      line,
      error: errorReport('HUB_ERR_SOURCE_XML', { reason: m ? m[3] : err.message }, { file: opts.file, line }),
    });
  });

  const decoder = new StringDecoder('utf8');
  const source = normalizeEncoding(input, opts.encoding);
  for await (const chunk of source) {
    if (!failed) parser.write(prolog.push(decoder.write(chunk as Buffer)));
    if (batch.length >= batchSize || (failed && batch.length)) {
      yield { items: batch };
      batch = [];
    }
    if (failed) break;
  }
  if (!failed) {
    const rest = prolog.push(decoder.end()) + prolog.end();
    if (rest) parser.write(rest);
    parser.close();
  }
  if (batch.length) yield { items: batch };
  if (failed) source.destroy();
}
