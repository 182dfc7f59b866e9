/**
 * The data file a command is given to read (`cgic map <file>`), opened before it is read: a path that
 * does not exist or cannot be read is HUB_ERR_CLI_INPUT_FILE (exit 66, EX_NOINPUT), not a
 * configuration error (78, kept for the mapping and configuration files); a folder is a usage error.
 */
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { HubError } from '../errors/hub-error.ts';

/** What `open` failing means, in words (the error code otherwise). */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * Open `file` for reading, with its size and kind. `ifFolder` is the usage error's reason when it is a
 * folder (say how to read each of its files). The caller reads through the handle and closes it.
 */
export async function openInputFile(file: string, ifFolder: string): Promise<{ handle: FileHandle; stat: Stats }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EISDIR') throw new HubError('HUB_ERR_CLI_USAGE', { reason: ifFolder });
    throw new HubError('HUB_ERR_CLI_INPUT_FILE', { path: file, reason: REASONS[code] ?? (code || (e as Error).message) }, undefined, { cause: e });
  }
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw new HubError('HUB_ERR_CLI_USAGE', { reason: ifFolder });
  }
  return { handle, stat };
}
