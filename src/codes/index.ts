/** NCIC code tables, the hub's synonym tables, serial normalization. */
export {
  createCodeTable,
  type CodedValue,
  type CodeTable,
  type CodeTableDefinition,
  type LookupMode,
  type LookupResult,
} from './code-table.ts';
export {
  buildCodeTables,
  loadCodeTables,
  DEFAULT_SYNONYM_DIR,
  type BuildCodeTablesOptions,
  type CodeTables,
} from './code-tables.ts';
export { matchKey } from './match-key.ts';
export { caliberKey } from './caliber-key.ts';
export { caliberDescriptionSpellings } from './caliber-descriptions.ts';
export { shotshellDesignation } from './shotshell.ts';
export { findDamagedEntries, NCIC_GUN_CODE_TYPES, type DamagedEntry, type NcicCodeType } from './ncic-damage.ts';
export { applyNcicRepairs, NCIC_REPAIRS, type NcicRepair } from './ncic-repairs.ts';
export { isPlaceMakeCode } from './ncic-place-codes.ts';
export { parseSynonyms, readSynonymFile, type SynonymEntry } from './synonyms.ts';
export { isSerialPlaceholder, ncicMatchKey, normalizeSerial, type NormalizedSerial } from './serial.ts';
