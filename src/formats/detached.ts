/**
 * `s` as a string of its own. V8 keeps a substring of 13 or more characters as a view into the string
 * it was cut from: a name or text from the XML reader is a view into the 64 KB slice of the file it was
 * parsed from, and so is its trimmed value. Kept longer than the record it came from (a mapping memo's
 * 2,048 entries per field, the reader's table of element names), such views held whole slices of the
 * file alive: a 1 GB LIMS XML export through `cgic map` grew by 274 MiB, most of it file text. The copy
 * is made by flattening a concatenation, which V8 does into a new string.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
