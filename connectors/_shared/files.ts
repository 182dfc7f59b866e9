/**
 * What the file-based connectors (directory, sftp) share: which names are candidates, how a claimed
 * file is named in the processing folder, stable unit ids, names that never overwrite, and the
 * `.errors.json` written beside a rejected file.
 *
 * Claimed name: `<claimedAtMs>-<8 hex>--<original name>`. The claim time lets any process see how
 * long ago a file was claimed (to re-offer it after a crash); the random part makes two claims of
 * the same name distinct; the original name is everything after the first `--` (the prefix never
 * contains one).
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

export function claimedName(originalName: string, now = Date.now()): string {
  return `${now}-${randomBytes(4).toString('hex')}--${originalName}`;
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
  return dot > 0 ? `${name.slice(0, dot)}.${suffix}${name.slice(dot)}` : `${name}.${suffix}`;
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

/** Read a whole stream (small things only: an existing delivered file to compare). */
export async function streamToBuffer(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}
