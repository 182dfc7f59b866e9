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
 * Iterative, so any depth serializes; it stops once the markup is longer than `maxChars`, within a
 * start tag as well (the result is then cut by the caller, see boundedPayload).
 */
export function serializeElement(root: XmlElement, maxChars = Infinity): string {
  let out = '';
  /** A start tag; its attributes stop once it is longer than `room` (values cut to it as well). */
  const open = (el: XmlElement, room: number): string => {
    let tag = `<${el.local}${el.parent === null && el.ns ? ` xmlns="${el.ns}"` : ''}`;
    for (const k in el.attrs) {
      if (tag.length > room) break;
      const v = el.attrs[k]!;
      tag += ` ${k.replace(/^\{[^}]*\}/, '')}="${escText(v.length > room ? v.slice(0, room) : v).replace(/"/g, '&quot;')}"`;
    }
    return `${tag}>`;
  };
  const stack: { el: XmlElement; next: number }[] = [{ el: root, next: 0 }];
  out += open(root, maxChars);
  while (stack.length && out.length <= maxChars) {
    const top = stack[stack.length - 1]!;
    if (top.el.children.length === 0) {
      out += `${escText(top.el.text.trim())}</${top.el.local}>`;
      stack.pop();
    } else if (top.next < top.el.children.length) {
      const child = top.el.children[top.next++]!;
      out += open(child, maxChars - out.length);
      stack.push({ el: child, next: 0 });
    } else {
      out += `</${top.el.local}>`;
      stack.pop();
    }
  }
  return out;
}
