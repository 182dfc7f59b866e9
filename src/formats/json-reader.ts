/**
 * JSON and NDJSON readers.
 *
 * Input: a byte stream and the limits (src/formats/limits.ts). JSON: one document (an API page, a
 * webhook body), with `records` naming the array of records inside it ('' or absent: the document is
 * one record). NDJSON: one record per line, streamed, for exports of any size.
 * Output: batches of records with their JSON pointer (JSON) or line number (NDJSON). A line that is not
 * JSON becomes a `SourceFailure` and the file goes on; a malformed document is one failure.
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

export async function* readJson(input: Readable, opts: JsonReadOptions = {}): AsyncGenerator<SourceBatch> {
  const limits = opts.limits ?? DEFAULT_LIMITS.json;
  const fail = (item: Omit<SourceItem & { format: 'failure' }, 'format' | 'row'>): SourceBatch => ({ items: [{ format: 'failure', row: 1, ...item }] });
  const chunks: Buffer[] = [];
  let size = 0;
  const nesting = new JsonNesting(limits.maxDepth);
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
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  chunks.length = 0;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    yield fail({ error: errorReport('HUB_ERR_SOURCE_JSON', { reason: jsonSyntaxReason(err, text) }, { file: opts.file }) });
    return;
  }
  const path = (opts.records ?? '').split('/').filter(Boolean);
  let node: unknown = doc;
  for (const p of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
  const base = path.length ? '/' + path.map(escapePointer).join('/') : '';
  if (path.length === 0 && !Array.isArray(node)) {
    yield { items: [{ format: 'json', value: node, row: 1, jsonPointer: '' }] };
    return;
  }
  if (!Array.isArray(node)) {
    const reason = `no array at "${opts.records}" in the document`;
    yield fail({ error: errorReport('HUB_ERR_SOURCE_JSON', { reason }, { file: opts.file, jsonPointer: base }) });
    return;
  }
  const batchSize = opts.batchSize ?? 500;
  for (let i = 0; i < node.length; i += batchSize) {
    const items: SourceItem[] = [];
    for (let j = i; j < Math.min(i + batchSize, node.length); j++) {
      items.push({ format: 'json', value: node[j], row: j + 1, jsonPointer: `${base}/${j}` });
    }
    yield { items };
  }
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
