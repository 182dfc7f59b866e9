/**
 * JSON and NDJSON readers.
 *
 * Input: a byte stream. JSON: one document (an API page, a webhook body), with `records` naming the array
 * of records inside it ('' or absent: the document is one record). NDJSON: one record per line, streamed,
 * for exports of any size.
 * Output: batches of records with their JSON pointer (JSON) or line number (NDJSON). A line that is not
 * JSON becomes a `SourceFailure` and the file goes on; a malformed document is one failure.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { normalizeEncoding } from './decode.ts';
import { errorReport } from '../errors/hub-error.ts';
import type { SourceBatch, SourceItem } from './source-record.ts';

export interface JsonReadOptions {
  file?: string;
  encoding?: string;
  /** Slash-separated path to the records array inside the document, e.g. `data`. */
  records?: string;
  /** @defaultValue 500 */
  batchSize?: number;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

export async function* readJson(input: Readable, opts: JsonReadOptions = {}): AsyncGenerator<SourceBatch> {
  const chunks: Buffer[] = [];
  for await (const c of normalizeEncoding(input, opts.encoding)) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const reason = (err as Error).message;
    yield { items: [{ format: 'failure', row: 1, error: errorReport('HUB_ERR_SOURCE_JSON', { reason }, { file: opts.file }) }] };
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
    yield { items: [{ format: 'failure', row: 1, error: errorReport('HUB_ERR_SOURCE_JSON', { reason }, { file: opts.file, jsonPointer: base }) }] };
    return;
  }
  const size = opts.batchSize ?? 500;
  for (let i = 0; i < node.length; i += size) {
    const items: SourceItem[] = [];
    for (let j = i; j < Math.min(i + size, node.length); j++) {
      items.push({ format: 'json', value: node[j], row: j + 1, jsonPointer: `${base}/${j}` });
    }
    yield { items };
  }
}

export async function* readNdjson(input: Readable, opts: JsonReadOptions = {}): AsyncGenerator<SourceBatch> {
  const lines = createInterface({ input: normalizeEncoding(input, opts.encoding), crlfDelay: Infinity });
  const size = opts.batchSize ?? 500;
  let items: SourceItem[] = [];
  let line = 0;
  let row = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    row++;
    try {
      items.push({ format: 'json', value: JSON.parse(text), row, line, jsonPointer: '' });
    } catch (err) {
      const reason = (err as Error).message;
      items.push({
        format: 'failure',
        row,
        line,
        raw: text.length > 2000 ? text.slice(0, 2000) : text,
        error: errorReport('HUB_ERR_SOURCE_JSON', { reason }, { file: opts.file, row, line }),
      });
    }
    if (items.length >= size) {
      yield { items };
      items = [];
    }
  }
  if (items.length) yield { items };
}
