/**
 * Mappings the project no longer ships, and what replaces each. A configuration (or `cgic map -m`) that
 * still names one gets HUB_ERR_MAPPING_RETIRED naming the replacement, not a bare "not found";
 * docs/migrations.md says how to move. A mapping folder of that name that an operator keeps in
 * mappings/ still resolves as before: only the shipped copy is gone.
 */
export interface RetiredMapping {
  /** The shipped mapping to use instead. */
  replacement: string;
  /** Why it went, in one sentence for the operator. */
  reason: string;
}

export const RETIRED_MAPPINGS: Readonly<Record<string, RetiredMapping>> = {
  'rms-niem2-xml': {
    replacement: 'ndex-2.1-lexs',
    reason: 'it read an invented N-DEx-like layout (lexs:PublishInstruction, lexsdigest:EntityProperty) that real N-DEx IncidentArrest 2.1 documents do not have',
  },
  'rms-niem6-xml': {
    replacement: 'ndex-2.1-lexs',
    reason: 'it expected an invented wrapper namespace (urn:example:rms:niem6:export:1) that no real document uses; no published NIEM 6.0 RMS exchange is supported yet',
  },
};
