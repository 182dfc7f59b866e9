/** Test helpers: run a generator into memory, parse what it wrote. */
import { Writable } from 'node:stream';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { generate, type GenerateOptions, type GenerateSummary, type GeneratorKind } from '../../../src/generate/index.ts';

export async function generateToBuffer(kind: GeneratorKind, opts: GenerateOptions): Promise<{ buf: Buffer; summary: GenerateSummary }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1 << 16,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      // Answer asynchronously so the generator meets real backpressure.
      setImmediate(cb);
    },
  });
  const summary = await generate(kind, opts, sink);
  return { buf: Buffer.concat(chunks), summary };
}

export interface XmlElement {
  uri: string;
  local: string;
  prefix: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
  parent: XmlElement | null;
}

/** Parse with saxes (namespace-aware); throws on any well-formedness error. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { uri: '', local: '#document', prefix: '', attributes: {}, text: '', children: [], parent: null };
  let current = root;
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attributes: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) attributes[a.uri ? `{${a.uri}}${a.local}` : a.local] = a.value;
    const el: XmlElement = { uri: tag.uri, local: tag.local, prefix: tag.prefix, attributes, text: '', children: [], parent: current };
    current.children.push(el);
    current = el;
  });
  parser.on('text', (t) => {
    current.text += t;
  });
  parser.on('closetag', () => {
    current = current.parent as XmlElement;
  });
  parser.write(text).close();
  if (error) throw error;
  return root;
}

/** All descendants (document order) with this namespace URI and local name. */
export function findAll(el: XmlElement, uri: string, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.uri === uri && c.local === local) out.push(c);
    findAll(c, uri, local, out);
  }
  return out;
}

export function child(el: XmlElement, uri: string, local: string): XmlElement | undefined {
  return el.children.find((c) => c.uri === uri && c.local === local);
}

/** Text of the element reached by a path of [uri, local] steps (first match at each step). */
export function textAt(el: XmlElement, ...path: [string, string][]): string | undefined {
  let cur: XmlElement | undefined = el;
  for (const [uri, local] of path) {
    cur = cur && child(cur, uri, local);
  }
  return cur?.text.trim();
}
