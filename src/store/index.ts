/** The store: the hub's durable state in PostgreSQL (PGlite embedded by default). */
export { openStore, openDb, type OpenStoreOptions } from './open-store.ts';
export { Store, type StoreOpenOptions } from './store.ts';
export type { Db, DbKind } from './db.ts';
export { PostgresDb, type PostgresDbOptions } from './postgres-db.ts';
export { PgliteDb, DEFAULT_DATA_DIR, type PgliteDbOptions } from './pglite-db.ts';
export { migrate, loadMigrations, schemaVersion, type Migration } from './migrate.ts';
export { canonicalJson, sha256Hex } from './canonical-json.ts';
export { contentHash, mergeBodies, recordBody, unionArrays, ENVELOPE_FIELDS, type RecordBody } from './merge.ts';
export { deliveryIdFor, recordId, isUuid } from './ids.ts';
export type * from './types.ts';
export { CLASSIFICATIONS, TRANSFER_COUNT_NAMES } from './types.ts';
export { AuditWriter } from './audit-writer.ts';
export { GENESIS_HASH, AUDIT_CATEGORIES, AUDIT_OUTCOMES, type AuditEntry, type AuditInput, type AuditSubject, type AuditCategory, type AuditOutcome } from './audit-chain.ts';
export type { AuditFilter, AuditVerification, AuditCheckpoint } from './audit.ts';
