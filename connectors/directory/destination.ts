/**
 * Directory destination: drops each delivery as a file in a local or mounted folder.
 *
 * Input: a rendered delivery with a deterministic `fileName`. Output: `<path>/<fileName>`, written
 * atomically (a hidden `.<fileName>.<random>.tmp` in the same folder, fsync, chmod, rename, fsync of
 * the folder), so a reader never sees half a file. The same name with the same bytes again is a
 * no-op; with other bytes it is a new version and replaces the old file.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckResult, ConnectorContext, Delivery, DeliveryReceipt, DestinationConnector } from '../../src/sdk/connector.ts';
import type { OptionsResolved } from '../_shared/schema.ts';
import { HubDeliveryError } from '../_shared/delivery-error.ts';
import { fileModeProperty, isPlainFileName } from '../_shared/files.ts';
import { ACCESS_ERRNOS, errnoOf, isErrno } from '../_shared/fs-errors.ts';

export const directoryDestinationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'directory destination options',
  description: 'Writes each delivery as a file in a local or mounted folder.',
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Folder the files are written to. It must exist: the hub does not create it, so an unmounted share fails instead of filling the local disk.',
      examples: ['/srv/cgic/outbound/hpd'],
    },
    mode: fileModeProperty,
  },
} as const;

export type DirectoryDestinationOptions = OptionsResolved<typeof directoryDestinationSchema>;

export class DirectoryDestination implements DestinationConnector {
  readonly kind = 'directory';
  private readonly dir: string;
  private readonly mode: number;

  constructor(
    o: DirectoryDestinationOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.dir = resolve(o.path);
    this.mode = parseInt(o.mode, 8);
  }

  async check(): Promise<CheckResult> {
    try {
      const st = await stat(this.dir);
      if (!st.isDirectory()) return { ok: false, detail: `${this.dir} is not a folder` };
      const probe = join(this.dir, `.check-${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(probe, '');
      await unlink(probe);
      return { ok: true, detail: `${this.dir} is writable` };
    } catch (err) {
      return { ok: false, detail: `${this.dir}: ${(err as Error).message}` };
    }
  }

  async deliver(d: Delivery): Promise<DeliveryReceipt> {
    const destination = this.ctx.id;
    if (!isPlainFileName(d.fileName)) {
      throw new HubDeliveryError('HUB_ERR_DELIVERY_FILE_NAME', { destination, fileName: d.fileName }, { retryable: false });
    }
    const target = join(this.dir, d.fileName);
    const body = Buffer.from(d.body, 'utf8');

    const tmp = join(this.dir, `.${d.fileName}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      if (await sameContent(target, body)) {
        return { status: 0, detail: `unchanged: ${target} already has these ${body.length} bytes` };
      }
      const fh = await open(tmp, 'wx', this.mode);
      try {
        await fh.writeFile(body);
        await fh.chmod(this.mode); // open's mode is filtered by the umask
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      await syncDir(this.dir);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      const code = errnoOf(err);
      const reason = `${(err as Error).message}`;
      if (code && ACCESS_ERRNOS.has(code)) {
        throw new HubDeliveryError('HUB_ERR_DELIVERY_ACCESS', { destination, path: target, reason }, { retryable: false, cause: err });
      }
      throw new HubDeliveryError('HUB_ERR_DELIVERY_WRITE', { destination, path: target, reason }, { retryable: true, cause: err });
    }
    this.ctx.log.debug({ file: target, bytes: body.length, delivery: d.deliveryId }, 'directory: delivered');
    return { status: 0, detail: `wrote ${target} (${body.length} bytes)` };
  }
}

async function sameContent(path: string, body: Buffer): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size !== body.length) return false;
    return (await readFile(path)).equals(body);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Make the rename durable; some filesystems cannot fsync a folder, which is fine. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM', 'EBADF', 'ENOTSUP')) throw err;
  } finally {
    await fh?.close();
  }
}
