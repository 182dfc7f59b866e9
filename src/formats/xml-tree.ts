/**
 * The element tree a mapping reads XML records from. Names are resolved to namespace URIs by the
 * reader, so mappings match by URI, never by the prefix a sender happened to use.
 */
export interface XmlElement {
  /** Namespace URI ('' when none). */
  readonly ns: string;
  /** Local name. */
  readonly local: string;
  /** The prefixed name as written in the document (for pointers people read). */
  readonly qname: string;
  /** Attributes keyed by `local` (no namespace) or `{uri}local`. */
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside this element, untrimmed. */
  text: string;
  readonly line: number;
  readonly column: number;
  parent: XmlElement | null;
}

/** `{uri}local`, the key attributes use. */
export function expandedName(ns: string, local: string): string {
  return ns ? `{${ns}}${local}` : local;
}
