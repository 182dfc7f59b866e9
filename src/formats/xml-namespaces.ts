/**
 * Namespace prefixes in scope while an XML document streams by.
 *
 * Input: the `xmlns` / `xmlns:p` declarations of each element as it opens, and each close.
 * Output: the namespace URI a prefix is bound to at this point of the document.
 *
 * Each prefix keeps its own stack of bindings, so resolving is one map lookup whatever the depth.
 * (saxes' own resolution walks the open elements from the innermost one up, so a document of n nested
 * elements costs n² steps: 100,000 levels took minutes.) The checks are the Namespaces in XML 1.0 ones
 * saxes makes: `xml` and `xmlns` keep their fixed URIs, a prefix cannot be bound to the empty URI.
 */

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

export class NamespaceScope {
  private readonly bindings = new Map<string, string[]>([
    ['xml', [XML_NAMESPACE]],
    ['xmlns', [XMLNS_NAMESPACE]],
  ]);

  /**
   * Bind the declarations among an element's attributes; returns the prefixes bound (to pass to
   * `close`), or null when the element declares none, or a reason string when a declaration breaks
   * a rule (nothing is bound then).
   */
  open(attributes: Record<string, string>): string[] | null | { error: string } {
    let declared: string[] | null = null;
    for (const name in attributes) {
      let prefix: string;
      if (name === 'xmlns') prefix = '';
      else if (name.startsWith('xmlns:')) prefix = name.slice(6);
      else continue;
      const uri = attributes[name]!;
      const problem = checkBinding(prefix, uri);
      if (problem) {
        if (declared) this.close(declared);
        return { error: problem };
      }
      let stack = this.bindings.get(prefix);
      if (!stack) this.bindings.set(prefix, (stack = []));
      stack.push(uri);
      (declared ??= []).push(prefix);
    }
    return declared;
  }

  /** Unbind what `open` bound for the element that closes. */
  close(declared: readonly string[] | null): void {
    if (declared) for (const p of declared) this.bindings.get(p)!.pop();
  }

  /** The URI `prefix` is bound to ('' for the default namespace when none is declared); undefined when unbound. */
  resolve(prefix: string): string | undefined {
    const stack = this.bindings.get(prefix);
    if (stack && stack.length) return stack[stack.length - 1];
    return prefix === '' ? '' : undefined;
  }
}

function checkBinding(prefix: string, uri: string): string | null {
  if (prefix === 'xmlns') return 'the prefix "xmlns" cannot be declared';
  if (prefix === 'xml' && uri !== XML_NAMESPACE) return `the prefix "xml" must be bound to ${XML_NAMESPACE}`;
  if (prefix !== 'xml' && uri === XML_NAMESPACE) return `only the prefix "xml" may be bound to ${XML_NAMESPACE}`;
  if (uri === XMLNS_NAMESPACE) return `no prefix may be bound to ${XMLNS_NAMESPACE}`;
  if (prefix !== '' && uri === '') return `the prefix "${prefix}" cannot be bound to the empty namespace`;
  return null;
}
