/**
 * The vocabulary of sharing rules: which fields of a lead's events can be shared, the default, and the
 * rule and configuration shapes. Below both the configuration loader and the lead service, importing
 * neither.
 */
export const SHAREABLE_FIELDS = [
  'agency',
  'contact',
  'agencyCaseNumber',
  'labCaseNumbers',
  'occurredAt',
  'offense',
  'eventKind',
  'town',
  'location',
  'evidence',
  'firearm',
  'trace',
  'recoveredNotTraced',
  'otherHits',
  'persons',
] as const;
export type ShareableField = (typeof SHAREABLE_FIELDS)[number];

export const DEFAULT_SHARED: readonly ShareableField[] = ['agency', 'agencyCaseNumber', 'contact', 'occurredAt', 'town', 'eventKind'];

export interface SharingRule {
  /** The agency receiving the package ("*": any). */
  recipient: string;
  /** The agency whose events the rule is about ("*": any other). */
  owner: string;
  fields: ShareableField[];
}

export interface SharingConfig {
  default: readonly ShareableField[];
  rules: readonly SharingRule[];
}
