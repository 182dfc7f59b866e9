/**
 * What the file-based connectors (directory, sftp) share: which names are candidates, how a claimed
 * file is named in the processing folder, stable unit ids, names that never overwrite, and the
 * `.errors.json` written beside a rejected file.
 *
 * Claimed name: `<claimedAtMs>-<8 hex>--<original name>`. The claim time lets any process see how
 * long ago a file was claimed (to re-offer it after a crash); the random part makes two claims of
 * the same name distinct; the original name is everything after the first `--` (the prefix never
 * contains one). A name too long for the prefix (file names have at most 255 bytes) is shortened in
 * the claimed name only (`shortenName`); the unit keeps the original name.
 *
 * File names that are not UTF-8 are shown, and set aside, under a UTF-8 name whose invalid bytes are
 * written `%XX` (`displayName`).
 */
import { createHash, randomBytes } from 'node:crypto';
import picomatch from 'picomatch';
import { HubError } from '../../src/errors/hub-error.ts';

/** The `mode` option of the file destinations (directory, sftp): the permissions of each file they write. */
export const fileModeProperty = {
  type: 'string',
  pattern: '^0?[0-7]{3}$',
  default: '0640',
  description: 'Permissions of the delivered files, as an octal string.',
  examples: ['0640', '0644'],
} as const;

/** Suffixes of uploads in progress, by convention of the common clients (WinSCP: .filepart). */
export const PARTIAL_SUFFIXES = ['.tmp', '.part', '.filepart'] as const;

/** A matcher for the candidate files of a source folder: the pattern, no dotfiles, no partial uploads. */
export function candidateMatcher(pattern: string): (name: string) => boolean {
  const isMatch = picomatch(pattern, { dot: false, nocase: false });
  return (name: string) =>
    !name.startsWith('.') &&
    !PARTIAL_SUFFIXES.some((s) => name.toLowerCase().endsWith(s)) &&
    isMatch(name);
}

/** Stable unit id from what identifies one version of a dropped file. */
export function fileUnitId(name: string, size: number, mtimeMs: number): string {
  const h = createHash('sha256').update(`${name}\0${size}\0${Math.trunc(mtimeMs)}`).digest('hex');
  return `file:${h.slice(0, 32)}`;
}

/** The longest file name most filesystems (and SFTP servers) take, in bytes. */
export const MAX_NAME_BYTES = 255;

/**
 * `name` cut to at most `maxBytes` UTF-8 bytes: its start, `~` and 8 hex of its hash (so two long
 * names stay apart), and its extension (up to 16 bytes). Names that fit are returned as they are.
 */
export function shortenName(name: string, maxBytes = MAX_NAME_BYTES): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 16 ? name.slice(dot) : '';
  const tag = `~${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  const room = maxBytes - Buffer.byteLength(tag + ext);
  let head = '';
  for (const ch of name.slice(0, name.length - ext.length)) {
    if (Buffer.byteLength(head + ch) > room) break;
    head += ch;
  }
  return `${head}${tag}${ext}`;
}

export function claimedName(originalName: string, now = Date.now()): string {
  const prefix = `${now}-${randomBytes(4).toString('hex')}--`;
  return prefix + shortenName(originalName, MAX_NAME_BYTES - prefix.length);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file name read as bytes: its text when it is valid UTF-8 (`valid`), else a UTF-8 name with each
 * invalid byte written `%XX`, for logs, pointers and the name it is set aside under.
 */
export function displayName(raw: Buffer): { name: string; valid: boolean } {
  try {
    return { name: STRICT_UTF8.decode(raw), valid: true };
  } catch {
    let out = '';
    for (let i = 0; i < raw.length; ) {
      const b = raw[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (len > 0 && i + len <= raw.length) {
        try {
          out += STRICT_UTF8.decode(raw.subarray(i, i + len));
          i += len;
          continue;
        } catch {
          /* an invalid sequence: escape its first byte */
        }
      }
      out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
    return { name: out, valid: false };
  }
}

/** `{ claimedAtMs, originalName }` of a claimed name, or null for anything else in the folder. */
export function parseClaimedName(name: string): { claimedAtMs: number; originalName: string } | null {
  const m = /^(\d{10,16})-[0-9a-f]{8}--(.+)$/.exec(name);
  if (!m) return null;
  return { claimedAtMs: Number(m[1]), originalName: m[2]! };
}

/**
 * The n-th alternative name for `name` when the target exists: `lims.csv` ->
 * `lims.20251125T180900123Z.csv`, then `lims.20251125T180900123Z-2.csv`, ...
 */
export function collisionName(name: string, attempt: number, now = new Date()): string {
  if (attempt === 0) return name;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  const suffix = attempt === 1 ? stamp : `${stamp}-${attempt}`;
  const dot = name.lastIndexOf('.');
  return dot > 0
    ? `${shortenName(name.slice(0, dot), MAX_NAME_BYTES - Buffer.byteLength(`.${suffix}${name.slice(dot)}`))}.${suffix}${name.slice(dot)}`
    : `${shortenName(name, MAX_NAME_BYTES - Buffer.byteLength(`.${suffix}`))}.${suffix}`;
}

/** The name of the errors file beside a set-aside file: `<name>.errors.json`, the name shortened to fit. */
export function errorsFileName(name: string): string {
  return `${shortenName(name, MAX_NAME_BYTES - '.errors.json'.length)}.errors.json`;
}

/** Errors as written to `<name>.errors.json`: HubErrors as their reports, other errors as name + message. */
export function errorsJson(errors: readonly unknown[]): string {
  const plain = errors.map((e) => {
    if (e instanceof HubError) return e.toReport();
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      return { name: e.name, message: e.message, ...(code !== undefined ? { code } : {}) };
    }
    return e;
  });
  return JSON.stringify(plain, null, 2) + '\n';
}

/** A delivered file name must be one plain path segment. */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('.') &&
    !/[/\\\u0000-\u001f\u007f]/.test(name)
  );
}

/** Longest name a dropped file may have, in UTF-8 bytes (what the common filesystems take). */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Why a name sent from outside (a corrected file posted to the API) is not a plain file name to drop
 * in a folder, or null when it is one: one segment (no / or \, no ".."), no control or formatting
 * characters (C0, DEL, C1, bidirectional overrides, zero-width ones), valid Unicode, not hidden (a
 * leading "."), at most 255 bytes in UTF-8.
 */
export function droppedNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (Buffer.from(name, 'utf8').toString('utf8') !== name) return 'is not valid Unicode';
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name)) return 'holds a control or formatting character';
  if (/[/\\]/.test(name)) return 'holds a path separator (/ or \\): give the file\'s name alone';
  if (name.includes('..')) return 'holds ".."';
  if (name.startsWith('.')) return 'starts with "." (a hidden file, which no connector reads)';
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) return `is longer than ${MAX_FILE_NAME_BYTES} bytes in UTF-8`;
  return null;
}

/** Read a whole stream (small things only: an existing delivered file to compare). */
export async function streamToBuffer(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}
