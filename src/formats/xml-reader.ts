/**
 * Streaming XML reader.
 *
 * Input: a byte stream, a record path (`/p:Root/p:Record` from the root, or `//p:Record` anywhere), the
 * prefix -> namespace URI table the path is written with, and the limits (src/formats/limits.ts).
 * Output: batches of record elements as namespace-resolved trees, each with its 1-based record number,
 * its start line and an XPath pointer. Only one record's tree is in memory at a time, whatever the file
 * size. A well-formedness error ends the file with a `SourceFailure` at its line; records before it stand.
 *
 * Hostile input: every step is constant time per element at any depth (namespaces resolve through
 * `NamespaceScope`, pointers are built from the parent's), and the limits stop what would not be:
 * - an element nested past `maxDepth` ends the document (HUB_ERR_SOURCE_LIMIT_XML_DEPTH);
 * - a DOCTYPE ends the document (HUB_ERR_SOURCE_XML_DOCTYPE): no DTD is read, no entity declared;
 * - a record past `maxRecordElements` or `maxRecordBytes` becomes a failure with a bounded excerpt and
 *   reading goes on after it (its tree is dropped as soon as it is too large);
 * - an element with more than `maxAttributes` attributes (namespace declarations included) ends the
 *   document (HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES), counted while its start tag is still being read;
 * - text or markup the parser holds unfinished past `maxRecordBytes` ends the document.
 * The parser is fed in slices, so a refusal stops the work within one slice, whatever the body size.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { normalizeEncoding } from './decode.ts';
import { xmlEncodingChooser, type XmlEncodingChoice } from './xml-encoding.ts';
import { detached } from './detached.ts';
import { errorReport } from '../errors/hub-error.ts';
import { expandedName, serializeElement, type XmlElement } from './xml-tree.ts';
import { NamespaceScope } from './xml-namespaces.ts';
import { LeadingCommentsFilter, type LeadingComments } from './xml-leading-comments.ts';
import { DEFAULT_LIMITS, type XmlLimits } from './limits.ts';
import { PAYLOAD_MAX_CHARS } from '../errors/excerpt.ts';
import type { ErrorCode } from '../errors/registry.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

export interface XmlReadOptions {
  file?: string;
  /** The mapping's `source.encoding`; undefined: the document's declaration, else UTF-8 (xml-encoding.ts). */
  encoding?: string;
  /** `/p:Root/p:Record` or `//p:Record`. */
  record: string;
  namespaces: Record<string, string>;
  /** Namespace URIs read as another (a mapping's further URIs for a prefix: src/mapping/namespaces.ts). */
  namespaceReadAs?: ReadonlyMap<string, string>;
  /** Records per batch. @defaultValue 200 */
  batchSize?: number;
  /** @defaultValue DEFAULT_LIMITS.xml */
  limits?: XmlLimits;
  /** Comments and white space before the XML declaration: refused, or skipped (xml-leading-comments.ts). @defaultValue `'error'` */
  leadingComments?: LeadingComments;
  /** Told the document's root element when it opens (for "nothing matched" reports: which document this was). */
  onRoot?: (root: XmlRootElement) => void;
  /** Told how the document's encoding was chosen, before its first record (not when a byte-order mark decides). */
  onEncoding?: (choice: XmlEncodingChoice) => void;
}

/** A document's root element: its name as written, its namespace URI ('' for none) and line. */
export interface XmlRootElement {
  name: string;
  namespace: string;
  line: number;
}

/**
 * Distinct element names a reader keeps one copy of. A name as the parser hands it is a view into the
 * slice of the file it was read from (see detached.ts): kept on each element of a record, the names
 * alone held the file's slices and about 5 MB of strings per 500-record N-DEx chunk. A document with
 * more distinct names than this, or longer ones (none that a mapping reads), has the rest kept as they come.
 */
const NAMES_KEPT = 4096;
/** Longest name kept: a name is bounded only by the record limit (megabytes); a real one is short. */
const NAME_KEPT_CHARS = 256;

interface ElementName {
  qname: string;
  prefix: string;
  local: string;
}

/** Characters handed to the parser at a time: a refusal takes effect within one slice. */
const SLICE_CHARS = 64 * 1024;

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
  const limits = opts.limits ?? DEFAULT_LIMITS.xml;
  // Namespaces are resolved here, not by saxes (see NamespaceScope): xmlns stays off.
  const parser = new SaxesParser({ xmlns: false, position: true });
  const scope = new NamespaceScope();
  const aliases = opts.namespaceReadAs;
  const readAs = (uri: string): string => (aliases?.size ? (aliases.get(uri) ?? uri) : uri);
  interface Open {
    ns: string;
    local: string;
    qname: string;
    /** Prefixes this element bound. */
    declared: string[] | null;
    /** Children seen so far by name, for the 1-based sibling index of pointers (outside records only). */
    counts: Map<string, number> | null;
    index: number;
    /** `/a[1]/b[2]` down to this element, built on first use from the parent's. */
    path: string | null;
  }
  const stack: Open[] = [];
  const names = new Map<string, ElementName>();
  const nameOf = (raw: string): ElementName => {
    let n = names.get(raw);
    if (n === undefined) {
      const kept = names.size < NAMES_KEPT && raw.length <= NAME_KEPT_CHARS;
      const qname = kept ? detached(raw) : raw;
      const colon = qname.indexOf(':');
      const local = colon === -1 ? qname : qname.slice(colon + 1);
      n = { qname, prefix: colon === -1 ? '' : qname.slice(0, colon), local: kept ? detached(local) : local };
      if (kept) names.set(qname, n);
    }
    return n;
  };
  let current: XmlElement | null = null; // element being built inside a record
  let recordDepth = -1;
  let recordXpath = '';
  let recordLine = 0;
  let recordStart = 0; // parser position where the record's start tag starts
  let recordElements = 0;
  /** The record went past a limit: its tree is dropped, its excerpt and error kept until it closes. */
  let oversized: { raw: string; limit: 'maxRecordElements' | 'maxRecordBytes' } | null = null;
  let row = 0;
  let batch: SourceItem[] = [];
  let failed = false;

  const pathOf = (i: number): string => {
    let j = i;
    while (j >= 0 && stack[j]!.path === null) j--;
    for (let k = j + 1; k <= i; k++) {
      const o = stack[k]!;
      o.path = `${k ? stack[k - 1]!.path : ''}/${o.qname}[${o.index}]`;
    }
    return stack[i]!.path!;
  };

  const matchesRecord = (): boolean => {
    const top = stack[stack.length - 1]!;
    if (anywhere) return top.ns === steps[0]!.ns && top.local === steps[0]!.local;
    if (stack.length !== steps.length) return false;
    for (let i = 0; i < steps.length; i++) {
      if (stack[i]!.ns !== steps[i]!.ns || stack[i]!.local !== steps[i]!.local) return false;
    }
    return true;
  };

  /** Ends the document: a failure in place of the next record, nothing read after it. */
  const fail = (code: ErrorCode, params: Record<string, unknown>, line: number): void => {
    failed = true;
    const inRecord = recordDepth !== -1;
    const pointer = { file: opts.file, line, ...(inRecord ? { row: row + 1, xpath: recordXpath } : {}) };
    batch.push({ format: 'failure', row: row + 1, line, error: errorReport(code, params, pointer) });
  };

  const overLimit = (limit: 'maxRecordElements' | 'maxRecordBytes'): void => {
    oversized = { raw: serializeElement(root(current!), PAYLOAD_MAX_CHARS + 1), limit };
    current = null;
  };

  parser.on('doctype', (doctype: string) => {
    if (failed) return;
    // saxes reports it once it ends: the line it starts on is that many line breaks up.
    const line = parser.line - (doctype.split('\n').length - 1);
    fail('HUB_ERR_SOURCE_XML_DOCTYPE', { line }, line);
  });

  // Where the tag being opened starts ('<'): a record is measured from its own start tag, attributes
  // included (a 100 KB attribute on the record element is part of the record).
  let tagStart = 0;
  let tagLine = 0;
  /** Between a start tag's name and its end: saxes holds its attributes until the tag ends. */
  let tagOpen = false;
  parser.on('opentagstart', (tag: { name: string }) => {
    tagStart = parser.position - tag.name.length - 2;
    tagLine = parser.line;
    tagOpen = true;
  });

  const tooManyAttributes = (line: number): void => {
    fail('HUB_ERR_SOURCE_LIMIT_XML_ATTRIBUTES', { limit: limits.maxAttributes, line }, line);
  };

  parser.on('opentag', (tag: SaxesTagPlain) => {
    tagOpen = false;
    if (failed) return;
    let attributes = 0;
    for (const _ in tag.attributes) {
      if (++attributes > limits.maxAttributes) return tooManyAttributes(tagLine);
    }
    if (stack.length >= limits.maxDepth) {
      fail('HUB_ERR_SOURCE_LIMIT_XML_DEPTH', { limit: limits.maxDepth, line: parser.line }, parser.line);
      return;
    }
    const declared = scope.open(tag.attributes);
    if (declared !== null && !Array.isArray(declared)) {
      fail('HUB_ERR_SOURCE_XML', { reason: declared.error }, parser.line);
      return;
    }
    const { qname, prefix, local } = nameOf(tag.name);
    const written = scope.resolve(prefix);
    if (written === undefined) {
      scope.close(declared);
      fail('HUB_ERR_SOURCE_XML', { reason: `unbound namespace prefix "${prefix}" on element ${tag.name}` }, parser.line);
      return;
    }
    const inRecord = recordDepth !== -1;
    const parent = stack.length ? stack[stack.length - 1]! : null;
    if (parent === null) opts.onRoot?.({ name: tag.name, namespace: written, line: parser.line });
    const uri = readAs(written);
    let index = 1;
    if (parent && !inRecord) {
      const counts = (parent.counts ??= new Map());
      index = (counts.get(qname) ?? 0) + 1;
      counts.set(qname, index);
    }
    stack.push({ ns: uri, local, qname, declared, counts: null, index, path: null });
    if (inRecord) {
      if (current === null) return; // inside an oversized record: nothing more is built
      if (++recordElements > limits.maxRecordElements) return overLimit('maxRecordElements');
      if (parser.position - recordStart > limits.maxRecordBytes) return overLimit('maxRecordBytes');
    } else if (!matchesRecord()) return;
    const attrs: Record<string, string> = {};
    for (const name in tag.attributes) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const c = name.indexOf(':');
      let ans = '';
      if (c !== -1) {
        const u = scope.resolve(name.slice(0, c));
        if (u === undefined) {
          fail('HUB_ERR_SOURCE_XML', { reason: `unbound namespace prefix "${name.slice(0, c)}" on attribute ${name}` }, parser.line);
          return;
        }
        ans = readAs(u);
      }
      attrs[expandedName(ans, c === -1 ? name : name.slice(c + 1))] = tag.attributes[name]!;
    }
    const el: XmlElement = {
      ns: uri,
      local,
      qname,
      attrs,
      children: [],
      text: '',
      line: parser.line,
      column: parser.column,
      parent: current,
    };
    if (!inRecord) {
      recordDepth = stack.length;
      recordXpath = pathOf(stack.length - 1);
      recordLine = parser.line;
      recordStart = tagStart;
      recordElements = 1;
      oversized = null;
    } else {
      current!.children.push(el);
    }
    current = el;
  });

  const onText = (t: string): void => {
    if (current === null || failed) return;
    if (parser.position - recordStart > limits.maxRecordBytes) return overLimit('maxRecordBytes');
    current.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    if (failed) return;
    const closing = stack.pop()!;
    scope.close(closing.declared);
    if (recordDepth === -1) return;
    if (stack.length + 1 === recordDepth) {
      row++;
      if (oversized === null && current !== null && parser.position - recordStart > limits.maxRecordBytes) overLimit('maxRecordBytes');
      if (oversized !== null) {
        const { raw, limit } = oversized;
        const max = limit === 'maxRecordBytes' ? `${limits.maxRecordBytes} characters` : `${limits.maxRecordElements} elements`;
        const pointer = { file: opts.file, row, line: recordLine, xpath: recordXpath };
        batch.push({
          format: 'failure',
          row,
          line: recordLine,
          raw,
          error: errorReport('HUB_ERR_SOURCE_LIMIT_XML_RECORD', { limit, max, outcome: 'it is not read; the records after it are' }, pointer),
        });
      } else if (current !== null) {
        batch.push({ format: 'xml', element: current, row, line: current.line, xpath: recordXpath });
      }
      current = null;
      oversized = null;
      recordDepth = -1;
    } else if (current !== null) {
      current = current.parent;
    }
  });

  const prolog = new LeadingCommentsFilter(opts.leadingComments ?? 'error');
  parser.on('error', (err: Error) => {
    if (failed) return;
    const at = prolog.misplaced;
    if (at) {
      failed = true;
      batch.push({ format: 'failure', row: row + 1, line: at.line, error: errorReport('HUB_ERR_SOURCE_XML_DECLARATION', at, { file: opts.file, line: at.line, column: at.column }) });
      return;
    }
    const m = /^[^:]*:(\d+):(\d+): (.*)$/s.exec(err.message);
    const line = m ? Number(m[1]) : parser.line;
    fail('HUB_ERR_SOURCE_XML', { reason: m ? m[3] : err.message }, line);
  });

  /**
   * Text, a comment, a DOCTYPE, a name, an entity reference or a processing instruction's target the
   * parser holds unfinished: bounded like a record.
   */
  const pendingTooLarge = (): boolean => {
    const p = parser as unknown as { text?: string; name?: string; entity?: string; piTarget?: string };
    const max = limits.maxRecordBytes;
    return (p.text?.length ?? 0) > max || (p.name?.length ?? 0) > max || (p.entity?.length ?? 0) > max || (p.piTarget?.length ?? 0) > max;
  };

  /**
   * A start tag the parser holds unfinished: saxes keeps every attribute of it (about 300 bytes each)
   * until its `>`, so its attributes are counted and its length bounded while it is being read. A start
   * tag past `maxRecordBytes` but within twice that is its record's problem alone: the record is refused
   * once the tag ends and the records after it are read. Past twice the limit the parser would hold
   * it without bound: the document ends.
   */
  const openTagTooLarge = (): boolean => {
    if (!tagOpen) return false;
    const held = (parser as unknown as { attribList?: unknown[] }).attribList?.length ?? 0;
    if (held > limits.maxAttributes) {
      tooManyAttributes(tagLine);
      return true;
    }
    if (parser.position - tagStart > 2 * limits.maxRecordBytes) {
      fail('HUB_ERR_SOURCE_LIMIT_XML_RECORD', { limit: 'maxRecordBytes', max: `${limits.maxRecordBytes} characters`, outcome: `the start tag at line ${tagLine} is more than twice that long; the rest of the document is not read` }, tagLine);
      return true;
    }
    return false;
  };

  const decoder = new StringDecoder('utf8');
  // The declaration naming an encoding the hub cannot decode, if it does: the document is refused.
  const undecodable: { name: string; line: number }[] = [];
  const source = normalizeEncoding(input, xmlEncodingChooser(opts.encoding, (choice) => {
    if (choice.unknown) undecodable.push(choice.declared!);
    opts.onEncoding?.(choice);
  }));
  const feed = (text: string): void => {
    for (let i = 0; i < text.length && !failed; i += SLICE_CHARS) {
      parser.write(text.length <= SLICE_CHARS ? text : text.slice(i, i + SLICE_CHARS));
      if (failed || openTagTooLarge()) continue;
      if (pendingTooLarge()) {
        fail('HUB_ERR_SOURCE_LIMIT_XML_RECORD', { limit: 'maxRecordBytes', max: `${limits.maxRecordBytes} characters`, outcome: `text or markup at line ${parser.line} is that long unbroken; the rest of the document is not read` }, parser.line);
      }
    }
  };
  for await (const chunk of source) {
    const refused = undecodable[0];
    if (refused && !failed) fail('HUB_ERR_SOURCE_XML_ENCODING', { encoding: refused.name, line: refused.line }, refused.line);
    if (!failed) feed(prolog.push(decoder.write(chunk as Buffer)));
    if (batch.length >= batchSize || (failed && batch.length)) {
      yield { items: batch };
      batch = [];
    }
    if (failed) break;
  }
  if (!failed) {
    const rest = prolog.push(decoder.end()) + prolog.end();
    if (rest) feed(rest);
    if (!failed) parser.close();
  }
  if (batch.length) yield { items: batch };
  if (failed) source.destroy();
}

/** The record element an element belongs to. */
function root(el: XmlElement): XmlElement {
  let r = el;
  while (r.parent !== null) r = r.parent;
  return r;
}
