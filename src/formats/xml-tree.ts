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

const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The element as markup, for quarantine: local names, the record element's namespace as its default,
 * attributes by local name, text trimmed (an element with children shows only its children).
 * Iterative, so any depth serializes; it stops once the markup is longer than `maxChars` (the result
 * is then cut by the caller, see boundedPayload).
 */
export function serializeElement(root: XmlElement, maxChars = Infinity): string {
  let out = '';
  const open = (el: XmlElement): string => {
    const attrs = Object.entries(el.attrs)
      .map(([k, v]) => ` ${k.replace(/^\{[^}]*\}/, '')}="${escText(v).replace(/"/g, '&quot;')}"`)
      .join('');
    const ns = el.parent === null && el.ns ? ` xmlns="${el.ns}"` : '';
    return `<${el.local}${ns}${attrs}>`;
  };
  const stack: { el: XmlElement; next: number }[] = [{ el: root, next: 0 }];
  out += open(root);
  while (stack.length && out.length <= maxChars) {
    const top = stack[stack.length - 1]!;
    if (top.el.children.length === 0) {
      out += `${escText(top.el.text.trim())}</${top.el.local}>`;
      stack.pop();
    } else if (top.next < top.el.children.length) {
      const child = top.el.children[top.next++]!;
      out += open(child);
      stack.push({ el: child, next: 0 });
    } else {
      out += `</${top.el.local}>`;
      stack.pop();
    }
  }
  return out;
}
