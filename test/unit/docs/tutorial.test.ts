/**
 * The tutorial at the end of docs/mapping-language.md ("Tutorial: a mapping for a new LIMS export") must
 * work as written. The code blocks it marks with an HTML comment are taken from the page:
 *
 *   <!-- tutorial:mapping-step2 -->      the first draft (step 2): EvidenceItem only
 *   <!-- tutorial:mapping -->            the finished mapping (step 5)
 *   <!-- tutorial:synonym -->            the ncic-make entry as step 6 edits it
 *   <!-- tutorial:case <name> -->        the golden cases (step 7), written to tests/<name>.test.yaml
 *
 * and run, as the reader would, on the tutorial's sample export (docs/tutorial/erl-items-202603.txt:
 * UTF-16LE with a BOM, three title lines, semicolons, dd.MM.yyyy dates, a make cut to "SMITH & WESS")
 * in a temporary `mappings/<id>/` folder, with the engine's loadMappingFile and runGoldenTests.
 *
 * Step 6's edit is made on a temporary copy of mappings/code-tables/: the repository's table is left as
 * it is, and must not know the spelling (else step 6 would show no warning). The loader reads the code
 * tables from the repository only, so loadCodeTables is pointed at the copy here.
 *
 * The summaries, error and warning lines and golden-test failures the page prints are compared with
 * what the engine prints now, so the page cannot drift from the engine unnoticed.
 *
 * The reference's own examples are run too (predicates, id references and xs:dateTime; the connector's
 * agency and warnIfEmpty; the "nothing matched" report). Their blocks are marked
 *
 *   <!-- example:<name> mapping -->   a mapping (YAML)
 *   <!-- example:<name> input -->     the source it reads (CSV, XML)
 *   <!-- example:<name> records -->   the records it must give (JSON: type and fields, no envelope)
 *   <!-- example:<name> output -->    a console session: each `npx cgic ...` line is run in a folder
 *                                     holding the example's files, under the names the command uses,
 *                                     and must print exactly the lines below it; `echo $?` its status
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';

const tables = vi.hoisted(() => ({ synonymDir: undefined as string | undefined }));

vi.mock('../../../src/codes/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/codes/index.ts')>();
  const built = new Map<string, ReturnType<typeof real.buildCodeTables>>();
  return {
    ...real,
    // The repository's tables, or (after step 6) the temporary copy with the tutorial's edit.
    loadCodeTables: () => {
      const key = tables.synonymDir ?? '';
      if (!built.has(key)) built.set(key, real.buildCodeTables(tables.synonymDir ? { synonymDir: tables.synonymDir } : {}));
      return built.get(key)!;
    },
  };
});

import { DEFAULT_SYNONYM_DIR } from '../../../src/codes/index.ts';
import { loadMappingFile, loadMappingText, PROJECT_ROOT } from '../../../src/mapping/load.ts';
import { InboundMapping, type MappedRecord } from '../../../src/mapping/inbound.ts';
import { emptySummary, mapStream, type InvalidSource, type MapSummary } from '../../../src/mapping/run.ts';
import { runGoldenTests } from '../../../src/mapping/golden.ts';
import { formatReport, type ErrorReport } from '../../../src/errors/hub-error.ts';
import { printSummary } from '../../../src/cli/commands/map.ts';

const DOC = path.join(PROJECT_ROOT, 'docs', 'mapping-language.md');
const SAMPLE = path.join(PROJECT_ROOT, 'docs', 'tutorial', 'erl-items-202603.txt');
const SAMPLE_NAME = path.basename(SAMPLE);
const HEADING = '## Tutorial: a mapping for a new LIMS export';

const doc = readFileSync(DOC, 'utf8');
const section = doc.slice(Math.max(0, doc.indexOf(`\n${HEADING}\n`)));

/** The YAML blocks of the tutorial, by marker ("mapping", "case impossible-date"...), un-indented. */
function markedBlocks(md: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const re = /<!-- tutorial:([\w-]+(?: [\w-]+)?) -->\n( *)```yaml\n([\s\S]*?)\n\2```/g;
  for (const m of md.matchAll(re)) {
    const indent = m[2]!.length;
    const body = m[3]!
      .split('\n')
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    if (blocks.has(m[1]!)) throw new Error(`two blocks are marked tutorial:${m[1]}`);
    blocks.set(m[1]!, body + '\n');
  }
  return blocks;
}

const blocks = markedBlocks(section);
const block = (name: string): string => {
  const b = blocks.get(name);
  if (b === undefined) throw new Error(`docs/mapping-language.md has no block marked <!-- tutorial:${name} --> in the tutorial`);
  return b;
};
const caseNames = [...blocks.keys()].filter((k) => k.startsWith('case ')).map((k) => k.slice(5));

/** The page prints command output with trailing spaces trimmed; compare it that way. */
const trimLines = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();

function expectOnPage(text: string): void {
  expect(trimLines(section), `the tutorial should show:\n${text}`).toContain(trimLines(text));
}

/** What `cgic map` prints as its summary for these figures. */
function summaryText(s: MapSummary, label: string): string {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    printSummary(s, label, SAMPLE_NAME);
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

interface Run {
  mapping: InboundMapping;
  summary: MapSummary;
  records: MappedRecord[];
  invalid: InvalidSource[];
  warnings: ErrorReport[];
}

/** Load a mapping file and map the sample with it, as `cgic map` does. */
async function mapSample(mappingFile: string): Promise<Run> {
  const mapping = await loadMappingFile(mappingFile);
  if (!(mapping instanceof InboundMapping)) throw new Error('the tutorial mapping should be inbound');
  const summary = emptySummary();
  const run: Run = { mapping, summary, records: [], invalid: [], warnings: [] };
  for await (const b of mapStream(mapping, Readable.from([readFileSync(SAMPLE)]), summary, { file: SAMPLE_NAME })) {
    run.records.push(...b.records);
    run.invalid.push(...b.invalid);
    run.warnings.push(...b.warnings);
  }
  return run;
}

const makeCodes = (r: Run): unknown[] => r.records.filter((x) => x.type === 'Firearm').map((x) => (x.make as { code: string | null }).code);

let tmp: string;
let mappingDir: string;

/** `mappings/<id>/mapping.yaml` in the temporary folder, from a marked block. */
function writeMapping(name: string): string {
  const text = block(name);
  const id = (parseYaml(text) as { id: string }).id;
  mappingDir = path.join(tmp, 'mappings', id);
  mkdirSync(path.join(mappingDir, 'tests'), { recursive: true });
  const file = path.join(mappingDir, 'mapping.yaml');
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cgic-tutorial-'));
  tables.synonymDir = undefined;
});

afterAll(() => {
  tables.synonymDir = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

describe('the tutorial page', () => {
  it('has the section its introduction links to, with the marked blocks and the sample file', () => {
    expect(doc).toContain(`\n${HEADING}\n`);
    expect(doc).not.toContain('<!-- tutorial -->');
    // The page's introduction links to the section by its anchor.
    expect(doc).toContain('](#tutorial-a-mapping-for-a-new-lims-export)');
    expect([...blocks.keys()].sort()).toEqual(['case impossible-date', 'case march-report', 'mapping', 'mapping-step2', 'synonym']);
    // The sample is what the tutorial says it is: UTF-16LE with a byte-order mark, CRLF, header on line 4.
    const bytes = readFileSync(SAMPLE);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const lines = bytes.subarray(2).toString('utf16le').split('\r\n');
    expect(lines[3]).toMatch(/^Lab No\.;Item;/);
    expect(lines.slice(0, 3).every((l) => !l.includes(';'))).toBe(true);
  });
});

describe('the tutorial, step by step', () => {
  it('step 2-4: the first draft validates and maps every row to an EvidenceItem', async () => {
    const r = await mapSample(writeMapping('mapping-step2'));
    expect(r.mapping.spec.records!.map((x) => x.type)).toEqual(['EvidenceItem']);
    expect(r.summary).toMatchObject({ rowsRead: 10, rowsMapped: 10, rowsInvalid: 0, recordsByType: { EvidenceItem: 10 }, unknownCodes: {} });
    expect(r.records[0]).toMatchObject({ description: 'Fired cartridge case, headstamp “WIN 9mm Luger”', sourceRefs: [{ pointer: { row: 1, line: 5 } }] });
    expectOnPage(summaryText(r.summary, r.mapping.label));
  });

  it('step 5: the finished mapping reads the new layout; row 10 is invalid and the make spelling unknown', async () => {
    const r = await mapSample(writeMapping('mapping'));
    const spec = r.mapping.spec;
    expect(r.mapping.label).toBe('eastern-lims-csv@1');
    expect(spec.source).toMatchObject({ format: 'csv', encoding: 'utf-16le', csv: { delimiter: ';', headerRow: 4 } });
    expect(spec.records!.map((x) => x.type)).toEqual(['EvidenceItem', 'Firearm', 'Case']);
    expect(r.summary).toMatchObject({
      rowsRead: 10,
      rowsMapped: 9,
      rowsInvalid: 1,
      recordsOut: 22,
      recordsByType: { EvidenceItem: 9, Firearm: 4, Case: 9 },
      errorsByCode: { HUB_ERR_RECORD_DATE: 1 },
      // The repository's table does not know the spelling: step 6 has something to show.
      unknownCodes: { 'ncic-make': { 'SMITH & WESS': 2 } },
    });
    expect(r.invalid.map((i) => ({ row: i.row, codes: i.errors.map((e) => e.code) }))).toEqual([{ row: 10, codes: ['HUB_ERR_RECORD_DATE'] }]);
    expect(makeCodes(r)).toEqual([null, 'TAS', 'CZU', null]);
    const cases = r.records.filter((x) => x.type === 'Case');
    expect(cases[0]).toMatchObject({ key: 'CT0006400|26-011873', occurredAt: '2026-03-14T23:40:00-04:00', labCaseNumbers: ['ERL-26-00412'], eventKind: 'shooting' });
    expect(cases.find((c) => c.key === 'CT0004300|26-004410')).toMatchObject({ occurredAt: '2026-03-18T00:00:00-04:00', eventKind: 'recovery-only' });
    expect(r.records.find((x) => x.key === 'lab:ERL-26-00423|1')?.serial).toEqual({ raw: 'OBLITERATED', normalized: '', obliterated: true, restored: false });
    // What the page prints for this run: the error line, the warnings and the summary.
    expectOnPage(formatReport(r.invalid[0]!.errors[0]!));
    for (const w of r.warnings) expectOnPage(`warning: ${formatReport(w)}`);
    expect(r.warnings).toHaveLength(2);
    expectOnPage(summaryText(r.summary, r.mapping.label));
  });

  it('step 6: the spelling added to a copy of the make table as the tutorial shows codes it SW', async () => {
    const tutorialEntry = block('synonym');
    const entry = /^- code: SW\n  spellings: \[[^\]]*\]\n/m;
    const repoTable = readFileSync(path.join(DEFAULT_SYNONYM_DIR, 'ncic-make.synonyms.yaml'), 'utf8');
    expect(repoTable, 'the SW entry of mappings/code-tables/ncic-make.synonyms.yaml').toMatch(entry);
    // The tutorial's entry keeps every spelling the table has and adds the report's one.
    const [mine] = parseYaml(tutorialEntry) as [{ code: string; spellings: string[] }];
    const [theirs] = parseYaml(repoTable.match(entry)![0]) as [{ code: string; spellings: string[] }];
    expect(mine.code).toBe('SW');
    expect(mine.spellings).toEqual([...theirs.spellings, 'SMITH & WESS']);

    const dir = path.join(tmp, 'code-tables');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(DEFAULT_SYNONYM_DIR).filter((n) => n.endsWith('.synonyms.yaml'))) copyFileSync(path.join(DEFAULT_SYNONYM_DIR, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'ncic-make.synonyms.yaml'), repoTable.replace(entry, () => tutorialEntry));
    tables.synonymDir = dir;

    const r = await mapSample(path.join(mappingDir, 'mapping.yaml'));
    expect(r.summary).toMatchObject({ rowsRead: 10, rowsMapped: 9, rowsInvalid: 1, warnings: 0, unknownCodes: {} });
    expect(makeCodes(r)).toEqual(['SW', 'TAS', 'CZU', 'SW']);
    expect(r.records.find((x) => x.type === 'Firearm')?.make).toEqual({ code: 'SW', system: 'NCIC-MAK', text: 'SMITH & WESS' });
    expectOnPage(summaryText(r.summary, r.mapping.label));
  });

  it('step 7-8: the inline case passes, the sidecar case is written by --update and then passes', async () => {
    expect(tables.synonymDir, 'runs after step 6').toBeDefined();
    expect(caseNames.sort()).toEqual(['impossible-date', 'march-report']);
    for (const name of caseNames) writeFileSync(path.join(mappingDir, 'tests', `${name}.test.yaml`), block(`case ${name}`));
    const sidecarCase = parseYaml(block('case march-report')) as { input: { file?: string }; expect?: unknown };
    expect(sidecarCase.expect, 'march-report keeps its expectation in a sidecar').toBeUndefined();
    expect(sidecarCase.input.file).toBe(SAMPLE_NAME);
    copyFileSync(SAMPLE, path.join(mappingDir, 'tests', SAMPLE_NAME));
    const inline = parseYaml(block('case impossible-date')) as { expect: { invalid: unknown } };
    expect(inline.expect.invalid).toEqual([{ row: 1, codes: ['HUB_ERR_RECORD_DATE'] }]);

    const brief = (rs: Awaited<ReturnType<typeof runGoldenTests>>) => rs.map((r) => ({ case: r.case, passed: r.passed, updated: r.updated ?? false, failures: r.failures }));

    const first = await runGoldenTests(mappingDir);
    expect(brief(first)).toEqual([
      { case: 'impossible-date', passed: true, updated: false, failures: [] },
      { case: 'march-report', passed: false, updated: false, failures: [expect.stringContaining('no expectation')] },
    ]);

    const update = await runGoldenTests(path.join(mappingDir, 'tests', 'march-report.test.yaml'), { update: true });
    expect(brief(update)).toEqual([{ case: 'march-report', passed: true, updated: true, failures: [] }]);

    const sidecar = JSON.parse(readFileSync(path.join(mappingDir, 'tests', 'march-report.expected.json'), 'utf8')) as {
      records: MappedRecord[];
      invalid: unknown;
      summary: MapSummary;
    };
    expect(sidecar.invalid).toEqual([{ row: 10, codes: ['HUB_ERR_RECORD_DATE'] }]);
    expect(sidecar.summary).toEqual({
      rowsRead: 10,
      rowsMapped: 9,
      rowsInvalid: 1,
      recordsOut: 22,
      recordsByType: { EvidenceItem: 9, Case: 9, Firearm: 4 },
      errorsByCode: { HUB_ERR_RECORD_DATE: 1 },
      warnings: 0,
      unknownCodes: {},
      encoding: { rows: 0, replacement: 0, mojibake: 0 },
    });
    expect(sidecar.records[7]).toMatchObject({ type: 'Firearm', key: 'lab:ERL-26-00412|4', make: { code: 'SW' } });

    const green = await runGoldenTests(mappingDir);
    expect(brief(green)).toEqual([
      { case: 'impossible-date', passed: true, updated: false, failures: [] },
      { case: 'march-report', passed: true, updated: false, failures: [] },
    ]);
  });

  it('step 8: without the new spelling the sidecar case fails as the tutorial shows', async () => {
    tables.synonymDir = undefined;
    const results = await runGoldenTests(mappingDir);
    const failing = results.find((r) => r.case === 'march-report')!;
    expect(failing.passed).toBe(false);
    expect(failing.failures[0]).toBe('records/7/make/code: expected "SW", got null');
    for (const f of failing.failures) expectOnPage(`mappings/eastern-lims-csv/tests/march-report.test.yaml: ${f}`);
    expect(results.find((r) => r.case === 'impossible-date')!.passed).toBe(true);
  });
});

/** The reference's example blocks, by "<name> <kind>", with their language. */
function exampleBlocks(md: string): Map<string, { lang: string; body: string }> {
  const out = new Map<string, { lang: string; body: string }>();
  for (const m of md.matchAll(/<!-- example:([\w-]+ (?:mapping|input|records|output)) -->\n```(\w+)\n([\s\S]*?)\n```/g)) {
    if (out.has(m[1]!)) throw new Error(`two blocks are marked example:${m[1]}`);
    out.set(m[1]!, { lang: m[2]!, body: m[3]! + '\n' });
  }
  return out;
}

const examples = exampleBlocks(doc.slice(0, doc.indexOf(`\n${HEADING}\n`)));
const example = (key: string): string => {
  const b = examples.get(key);
  if (!b) throw new Error(`docs/mapping-language.md has no block marked <!-- example:${key} -->`);
  return b.body;
};

/**
 * Run a console block of the page: files are written to a fresh folder under the names its commands
 * use; each command's output (stdout, then stderr) and each `echo $?` must be the lines the page shows.
 */
function runConsole(block: string, files: Record<string, string>): void {
  const dir = mkdtempSync(path.join(tmp, 'example-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const lines = block.trimEnd().split('\n');
  let status: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('$ ')) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith('$ ')) j++;
    const shown = lines.slice(i + 1, j).join('\n');
    const cmd = line.slice(2).trim();
    if (cmd === 'echo $?') {
      expect(String(status), `the status of the command before ${line}`).toBe(shown.trim());
      continue;
    }
    expect(cmd.startsWith('npx cgic '), `only cgic commands are run: ${cmd}`).toBe(true);
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin/cgic.js'), ...cmd.slice('npx cgic '.length).split(/\s+/)], { cwd: dir, encoding: 'utf8' });
    status = r.status;
    expect(trimLines(r.stdout + r.stderr), `what ${cmd} prints`).toBe(trimLines(shown));
  }
}

describe("the reference's examples", () => {
  it('the page marks the examples of predicates, id references, xs:dateTime, context, warnIfEmpty and "nothing matched"', () => {
    expect([...examples.keys()].sort()).toEqual(['context input', 'context mapping', 'context output', 'lexs input', 'lexs mapping', 'lexs records', 'nothing-matched input', 'nothing-matched output']);
    const lexs = example('lexs mapping');
    expect(lexs).toContain("[nc:ActivityCategoryText='Incident']");
    expect(lexs).toContain('id(@s:metadata)');
    expect(lexs).toContain('= current()/@s:id]');
    expect(lexs).toContain('xs:dateTime');
    expect(example('context mapping')).toContain('{ context: agency.ori');
    expect(example('context mapping')).toContain('warnIfEmpty: true');
    for (const heading of ['### Predicates', '### Id references', '### XML Schema dates', "### The connector's agency: `context`", '### Warnings without quarantine: `warnIfEmpty`', '### When nothing matched']) {
      expect(doc).toContain(`\n${heading}`);
    }
  });

  it('predicates, id references and xs:dateTime: the N-DEx style package gives the records the page shows', async () => {
    const mapping = await loadMappingText('ndex-example.yaml', example('lexs mapping'));
    if (!(mapping instanceof InboundMapping)) throw new Error('inbound');
    const summary = emptySummary();
    const records: MappedRecord[] = [];
    for await (const b of mapStream(mapping, Readable.from([Buffer.from(example('lexs input'))]), summary, { file: 'package.xml' })) records.push(...b.records);
    expect(summary).toMatchObject({ rowsRead: 1, rowsInvalid: 0 });
    expect(summary.nothingMatched).toBeUndefined();
    const shown = JSON.parse(example('lexs records')) as unknown[];
    expect(records.map(({ type, id: _i, key: _k, classification: _c, version: _v, sourceRefs: _s, ...fields }) => ({ type, ...fields }))).toEqual(shown);
  });

  it('the connector agency and warnIfEmpty: cgic map --agency prints what the page shows', () => {
    runConsole(example('context output'), { 'acme-rms-csv.yaml': example('context mapping'), 'export.csv': example('context input') });
  });

  it('nothing matched: the N-DEx example mapping on a NIBRS report prints what the page shows and exits 1', () => {
    runConsole(example('nothing-matched output'), { 'ndex-example.yaml': example('lexs mapping'), 'nibrs-report.xml': example('nothing-matched input') });
  });
});
