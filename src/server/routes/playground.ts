/**
 * The mapping playground: a mapping (a shipped one, or YAML pasted by its author) run on a sample file,
 * with exactly what `cgic map` gives (the same loop: mapping/preview.ts): the records, each bad row's
 * errors with their pointers and the lines `cgic map` prints for them, the warnings, the unknown codes,
 * the summary lines; or the mapping's problems at line and column when it does not load. Nothing is
 * stored: no transfer, no record, no quarantine row.
 *
 * Limits: a sample is cut at SAMPLE_LIMIT_BYTES (at the last line break before it, so a CSV or NDJSON
 * sample ends on a whole row); the answer holds the first RECORDS_SHOWN records, BAD_ROWS_SHOWN bad rows
 * and WARNINGS_SHOWN warnings, while the summary counts the whole (cut) sample.
 */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { HubApi } from '../hub-api.ts';
import { access } from '../auth.ts';
import { security, errorSchema, pointerSchema } from '../schemas.ts';
import { HubError } from '../../errors/hub-error.ts';
import { ConfigProblems } from '../../config/problems.ts';
import { failureLines } from '../../errors/report-lines.ts';
import { findMappingFiles, loadMappingFile, loadMappingText, type Mapping } from '../../mapping/load.ts';
import { InboundMapping, type MappedRecord } from '../../mapping/inbound.ts';
import { previewMapping, summaryLines } from '../../mapping/preview.ts';
import type { InvalidSource } from '../../mapping/run.ts';
import type { ErrorReport } from '../../errors/hub-error.ts';
import { isValidZone } from '../../mapping/ops/date-parser.ts';

export const SAMPLE_LIMIT_BYTES = 512 * 1024;
export const RECORDS_SHOWN = 200;
export const BAD_ROWS_SHOWN = 200;
export const WARNINGS_SHOWN = 200;
/** A pasted mapping larger than this is refused (a mapping is a page or two of YAML). */
export const MAPPING_LIMIT_BYTES = 256 * 1024;

interface PlaygroundBody {
  mapping?: string;
  yaml?: string;
  sample: string;
  sampleName?: string;
  timezone?: string;
}

const reportSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, class: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, value: { type: 'string' }, pointer: pointerSchema },
} as const;

/** The sample's first `limit` bytes, ending at a line break when there is one in them. */
export function cutSample(bytes: Buffer, limit = SAMPLE_LIMIT_BYTES): { bytes: Buffer; cut: boolean } {
  if (bytes.length <= limit) return { bytes, cut: false };
  const head = bytes.subarray(0, limit);
  const nl = head.lastIndexOf(0x0a);
  return { bytes: nl > 0 ? head.subarray(0, nl + 1) : head, cut: true };
}

export const playgroundRoutes: FastifyPluginAsync<{ hub: HubApi }> = async (app) => {
  const who = access('admin', 'analyst');
  let shipped: Promise<{ id: string; file: string; label: string; format: string; description: string }[]> | null = null;
  const shippedMappings = () =>
    (shipped ??= (async () => {
      const out = [];
      for (const file of findMappingFiles()) {
        const m = await loadMappingFile(file).catch(() => null);
        if (m instanceof InboundMapping) out.push({ id: m.id, file, label: m.label, format: m.spec.source!.format, description: String(m.spec.description ?? '') });
      }
      return out;
    })());

  /**
   * The file of a shipped mapping, by its id only: never a path, so a caller cannot have the hub read
   * any other file (its keys, its secrets) and echo it back in a problem message.
   */
  const shippedFile = async (id: string): Promise<string> => {
    const m = (await shippedMappings()).find((x) => x.id === id);
    if (!m) throw new HubError('HUB_ERR_NOT_FOUND', { what: 'shipped inbound mapping', id });
    return m.file;
  };

  app.get(
    '/playground/mappings',
    {
      ...who,
      schema: {
        summary: 'The inbound mappings shipped with the hub, to try in the playground, with their YAML.',
        tags: ['playground'],
        security,
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, label: { type: 'string' }, format: { type: 'string' }, description: { type: 'string' }, yaml: { type: 'string' } } },
          },
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async () => (await shippedMappings()).map((m) => ({ id: m.id, label: m.label, format: m.format, description: m.description, yaml: readFileSync(m.file, 'utf8') })),
  );

  app.post<{ Body: PlaygroundBody }>(
    '/playground/map',
    {
      ...who,
      bodyLimit: Math.ceil((SAMPLE_LIMIT_BYTES * 8 * 4) / 3) + MAPPING_LIMIT_BYTES + 64 * 1024,
      schema: {
        summary: `Preview a mapping on a sample, as cgic map does; nothing is stored. The sample is cut at ${SAMPLE_LIMIT_BYTES / 1024} KiB (at a line break); the first ${RECORDS_SHOWN} records and ${BAD_ROWS_SHOWN} bad rows are returned, the summary counts the whole cut sample.`,
        tags: ['playground'],
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['sample'],
          properties: {
            mapping: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'A shipped mapping id (GET /api/playground/mappings), never a path. Give this or yaml.' },
            yaml: { type: 'string', maxLength: MAPPING_LIMIT_BYTES, description: 'A mapping as YAML text. Give this or mapping.' },
            sample: { type: 'string', contentEncoding: 'base64', description: `The sample file, base64 (its bytes as they are: any encoding the mapping declares). Up to 8 times ${SAMPLE_LIMIT_BYTES / 1024} KiB is accepted; past ${SAMPLE_LIMIT_BYTES / 1024} KiB it is cut.` },
            sampleName: { type: 'string', maxLength: 255, description: 'The file name pointers show. Default: sample.' },
            timezone: { type: 'string', maxLength: 64, description: "Time zone of the sender (local times); the mapping's by default." },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              mapping: { type: ['object', 'null'], properties: { id: { type: 'string' }, label: { type: 'string' }, format: { type: 'string' } } },
              sample: { type: 'object', properties: { name: { type: 'string' }, bytes: { type: 'integer' }, bytesMapped: { type: 'integer' }, cut: { type: 'boolean' }, limitBytes: { type: 'integer' } } },
              problems: {
                type: 'array',
                description: 'Why the mapping does not load, each at its line and column (empty when it loads).',
                items: { type: 'object', properties: { code: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, col: { type: 'integer' }, pointer: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' }, omitted: { type: 'integer', description: 'On the problem that ends a cut list: how many problems of the file it stands for (100 are listed a file).' } } },
              },
              failure: { type: ['object', 'null'], description: 'An error that stopped the run (e.g. a required column missing), as cgic map reports it.', properties: { code: { type: 'string' }, message: { type: 'string' }, pointer: pointerSchema } },
              records: { type: 'array', items: { type: 'object', additionalProperties: true } },
              recordsShown: { type: 'integer' },
              invalid: {
                type: 'array',
                items: { type: 'object', properties: { row: { type: 'integer' }, pointer: pointerSchema, errors: { type: 'array', items: reportSchema }, lines: { type: 'array', items: { type: 'string' } } } },
              },
              warnings: { type: 'array', items: { type: 'object', properties: { report: reportSchema, line: { type: 'string' } } } },
              summary: { type: ['object', 'null'], additionalProperties: true },
              lines: { type: 'array', description: 'What cgic map writes to stderr for this sample: bad rows, warnings, then the summary (or the failure).', items: { type: 'string' } },
            },
          },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const b = req.body;
      if ((b.mapping === undefined) === (b.yaml === undefined)) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: 'give either mapping (a shipped mapping id) or yaml (a mapping as text)' });
      if (b.timezone !== undefined && !isValidZone(b.timezone)) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: `unknown time zone "${b.timezone}" (use an IANA name such as America/New_York)` });
      const all = Buffer.from(b.sample, 'base64');
      const { bytes, cut } = cutSample(all);
      const name = path.basename(b.sampleName || 'sample');
      const sample = { name, bytes: all.length, bytesMapped: bytes.length, cut, limitBytes: SAMPLE_LIMIT_BYTES };
      const empty = { records: [], recordsShown: 0, invalid: [], warnings: [], summary: null };
      // An id that is not a shipped mapping is the caller's mistake (404), not a mapping's problem.
      const file = b.mapping !== undefined ? await shippedFile(b.mapping) : undefined;
      let mapping: Mapping;
      try {
        mapping = file === undefined ? await loadMappingText('mapping.yaml', b.yaml!) : await loadMappingFile(file);
      } catch (e) {
        const lines = failureLines(e);
        if (!lines) throw e;
        const problems = e instanceof ConfigProblems ? e.problems : [];
        const failure = e instanceof HubError ? { code: e.code, message: e.message } : null;
        return { mapping: null, sample, problems, failure, ...empty, lines };
      }
      if (!(mapping instanceof InboundMapping)) throw new HubError('HUB_ERR_REQUEST_INVALID', { reason: `${mapping.label} is an outbound mapping; the playground previews inbound mappings` });
      const about = { id: mapping.id, label: mapping.label, format: mapping.spec.source!.format };
      const records: MappedRecord[] = [];
      const invalid: { row: number; pointer: InvalidSource['pointer']; errors: ErrorReport[]; lines: readonly string[] }[] = [];
      const warnings: { report: ErrorReport; line: string }[] = [];
      const lines: string[] = [];
      try {
        const summary = await previewMapping(
          mapping,
          Readable.from([bytes]),
          {
            records: (rs) => records.length < RECORDS_SHOWN && records.push(...rs.slice(0, RECORDS_SHOWN - records.length)),
            retraction: (_r, line) => lines.push(line),
            invalid: (row, ls) => {
              lines.push(...ls);
              if (invalid.length < BAD_ROWS_SHOWN) invalid.push({ row: row.row, pointer: row.pointer, errors: row.errors, lines: ls });
            },
            warning: (report, line) => {
              lines.push(line);
              if (warnings.length < WARNINGS_SHOWN) warnings.push({ report, line });
            },
          },
          { file: name, timezone: b.timezone },
        );
        lines.push(...summaryLines(summary, mapping.label, name));
        return { mapping: about, sample, problems: [], failure: null, records, recordsShown: records.length, invalid, warnings, summary, lines };
      } catch (e) {
        const fl = failureLines(e);
        if (!fl || !(e instanceof HubError)) throw e;
        return { mapping: about, sample, problems: [], failure: { code: e.code, message: e.message, ...(e.pointer ? { pointer: e.pointer } : {}) }, records, recordsShown: records.length, invalid, warnings, summary: null, lines: [...lines, ...fl] };
      }
    },
  );
};
