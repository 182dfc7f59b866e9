/** Writes the generated documentation and the mapping schema (see src/mapping/reference.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderErrorsDoc, renderMappingSchema, spliceOperationsReference } from '../src/mapping/reference.ts';

writeFileSync('docs/errors.md', renderErrorsDoc());
writeFileSync('schemas/mapping.schema.json', renderMappingSchema());
const lang = 'docs/mapping-language.md';
writeFileSync(lang, spliceOperationsReference(readFileSync(lang, 'utf8')));
console.log('wrote docs/errors.md, schemas/mapping.schema.json, the operations reference in docs/mapping-language.md');
