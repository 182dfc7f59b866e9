/**
 * JSON and NDJSON readers.
 *
 * Input: a byte stream and the limits (src/formats/limits.ts). JSON: one document (an API page, a
 * webhook body), with `records` naming the array of records inside it ('' or absent: the document is
 * one record). NDJSON: one record per line, streamed, for exports of any size.
 * Output: batches of records with their JSON pointer (JSON) or line number (NDJSON). A line that is not
 * JSON becomes a `SourceFailure` and the file goes on; a malformed document is one failure.
 *
 * A document is held as bytes, never built whole: JsonPathScan says whether it is JSON (as JSON.parse
 * would) and where each element of its records array lies, and each element is parsed alone, a batch
 * at a time, so a page of millions of tiny records costs a batch of objects, not millions.
 *
 * Limits: a document is read up to `maxDocumentBytes` and refused past it without reading on; a line
 * past `maxLineBytes` is a failure with its first bytes only (LineSplitter never holds more); nesting
 * past `maxDepth` is found by a linear scan before JSON.parse runs (JsonNesting), so no deep value ever
 * reaches code that walks it recursively.
 */
import type { Readable } from 'node:stream';
import { normalizeEncoding, type EncodingChooser } from './decode.ts';
import { errorReport } from '../errors/hub-error.ts';
import { PAYLOAD_MAX_CHARS } from '../errors/excerpt.ts';
import { JsonNesting, jsonSyntaxReason } from './json-nesting.ts';
import { JsonPathScan } from './json-path-scan.ts';
import { LineSplitter } from './line-splitter.ts';
import { DEFAULT_LIMITS, type JsonLimits } from './limits.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

export interface JsonReadOptions {
  file?: string;
  /** A name, or a chooser that reads it from the start of the bytes (sender-charset.ts). @defaultValue 'utf-8' */
  encoding?: string | EncodingChooser;
  /** Slash-separated path to the records array inside the document, e.g. `data`. */
  records?: string;
  /** @defaultValue 500 */
  batchSize?: number;
  /** @defaultValue DEFAULT_LIMITS.json */
  limits?: JsonLimits;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** An invalid document is parsed again for the parser's own message up to this size; past it, the message is the scan's. */
const REASON_BY_PARSE_MAX_BYTES = 1024 * 1024;
/** How long reading a document's records may hold the event loop before it gives other work a turn. */
const TURN_MS = 20;

export async function* readJson(input: Readable, opts: JsonReadOptions = {}): AsyncGenerator<SourceBatch> {
  const limits = opts.limits ?? DEFAULT_LIMITS.json;
  const fail = (item: Omit<SourceItem & { format: 'failure' }, 'format' | 'row'>): SourceBatch => ({ items: [{ format: 'failure', row: 1, ...item }] });
  const chunks: Buffer[] = [];
  let size = 0;
  const nesting = new JsonNesting(limits.maxDepth);
  const path = (opts.records ?? '').split('/').filter(Boolean);
  // Whether the document is JSON, and where its records array is, found without building it.
  const shape = new JsonPathScan([path]);
  const source = normalizeEncoding(input, opts.encoding);
  for await (const c of source) {
    const chunk = c as Buffer;
    size += chunk.length;
    if (size > limits.maxDocumentBytes) {
      source.destroy();
      yield fail({ error: errorReport('HUB_ERR_SOURCE_LIMIT_JSON_DOCUMENT', { limit: limits.maxDocumentBytes }, { file: opts.file }) });
      return;
    }
    const deep = nesting.scan(chunk);
    if (deep) {
      source.destroy();
      yield fail({ line: deep.line, error: errorReport('HUB_ERR_SOURCE_LIMIT_JSON_DEPTH', { limit: limits.maxDepth, ...deep }, { file: opts.file, line: deep.line }) });
      return;
    }
    shape.scan(chunk);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  chunks.length = 0;
  const { valid, values } = shape.end();
  if (!valid) {
    yield fail({ error: errorReport('HUB_ERR_SOURCE_JSON', { reason: invalidReason(bytes, shape.failedAt) }, { file: opts.file }) });
    return;
  }
  const base = path.length ? '/' + path.map(escapePointer).join('/') : '';
  if (values[0]!.kind !== 'array') {
    if (path.length === 0) {
      yield { items: [{ format: 'json', value: JSON.parse(bytes.toString('utf8')), row: 1, jsonPointer: '' }] };
      return;
    }
    const reason = `no array at "${opts.records}" in the document`;
    yield fail({ error: errorReport('HUB_ERR_SOURCE_JSON', { reason }, { file: opts.file, jsonPointer: base }) });
    return;
  }
  // The records, one at a time: each element's bytes parsed alone, so what is live is one batch of
  // records, never the whole document as objects (a 50 MiB page of `{}` is 17 million of them).
  const records = shape.arrayAt(0);
  const batchSize = opts.batchSize ?? 500;
  let items: SourceItem[] = [];
  let index = 0;
  const elements = new JsonPathScan([path], {
    of: 0,
    sink: (array, start, end) => {
      if (array !== records) return; // an array a later duplicate key replaced, as JSON.parse reads it
      items.push({ format: 'json', value: JSON.parse(bytes.toString('utf8', start, end)), row: index + 1, jsonPointer: `${base}/${index}` });
      index++;
    },
  });
  const PIECE = 64 * 1024;
  let turn = performance.now();
  for (let at = 0; at < bytes.length; at += PIECE) {
    elements.scan(bytes.subarray(at, at + PIECE));
    // The event loop gets a turn every TURN_MS: a page of millions of records must not hold the process.
    if (performance.now() - turn > TURN_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turn = performance.now();
    }
    if (items.length < batchSize) continue;
    let i = 0;
    for (; i + batchSize <= items.length; i += batchSize) yield { items: items.slice(i, i + batchSize) };
    items = items.slice(i);
  }
  elements.end();
  if (items.length) yield { items };
}

/** Why a document is not JSON: the parser's message with line and column, or, for a large one, where the scan stopped. */
function invalidReason(bytes: Buffer, failedAt: number): string {
  if (bytes.length <= REASON_BY_PARSE_MAX_BYTES) {
    const text = bytes.toString('utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      return jsonSyntaxReason(err, text);
    }
  }
  // Parsing a large document for its message would build all of it: the place is enough to fix it.
  if (failedAt >= bytes.length) return 'Unexpected end of JSON input';
  const before = bytes.subarray(0, failedAt);
  let line = 1;
  let lineStart = 0;
  for (let i = before.indexOf(0x0a); i !== -1; i = before.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = before.subarray(lineStart).toString('utf8').length + 1;
  return `Unexpected byte 0x${bytes[failedAt]!.toString(16).padStart(2, '0')} at line ${line} column ${column} (not valid JSON)`;
}

export async function* readNdjson(input: Readable, opts: JsonReadOptions = {}): AsyncGenerator<SourceBatch> {
  const limits = opts.limits ?? DEFAULT_LIMITS.json;
  const batchSize = opts.batchSize ?? 500;
  const splitter = new LineSplitter(limits.maxLineBytes, PAYLOAD_MAX_CHARS);
  const items: SourceItem[] = [];
  let row = 0;
  const take = (lines: ReturnType<LineSplitter['push']>): void => {
    for (const l of lines) {
      const { line } = l;
      if (l.oversized) {
        row++;
        items.push({
          format: 'failure',
          row,
          line,
          raw: l.head.toString('utf8'),
          error: errorReport('HUB_ERR_SOURCE_LIMIT_JSON_LINE', { limit: limits.maxLineBytes }, { file: opts.file, row, line }),
        });
        continue;
      }
      const text = l.bytes.toString('utf8');
      if (text.trim() === '') continue;
      row++;
      const deep = new JsonNesting(limits.maxDepth).scan(l.bytes);
      if (deep) {
        items.push({
          format: 'failure',
          row,
          line,
          error: errorReport('HUB_ERR_SOURCE_LIMIT_JSON_DEPTH', { limit: limits.maxDepth, line, column: deep.column }, { file: opts.file, row, line }),
        });
        continue;
      }
      try {
        items.push({ format: 'json', value: JSON.parse(text), row, line, jsonPointer: '' });
      } catch (err) {
        items.push({
          format: 'failure',
          row,
          line,
          raw: text,
          error: errorReport('HUB_ERR_SOURCE_JSON', { reason: jsonSyntaxReason(err, text) }, { file: opts.file, row, line }),
        });
      }
    }
  };
  for await (const chunk of normalizeEncoding(input, opts.encoding)) {
    take(splitter.push(chunk as Buffer));
    while (items.length >= batchSize) yield { items: items.splice(0, batchSize) };
  }
  take(splitter.end());
  while (items.length) yield { items: items.splice(0, batchSize) };
}
