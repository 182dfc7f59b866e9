/**
 * SFTP destination: uploads each delivery as a file to a remote folder.
 *
 * Input: a rendered delivery with a deterministic `fileName`. Output: `<remotePath>/<fileName>`,
 * uploaded to a hidden `.<fileName>.<random>.tmp` first, then renamed into place with the OpenSSH
 * `posix-rename` extension (atomic, replaces an older version), so the agency never picks up half a
 * file. The same name with the same bytes again is a no-op.
 */
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import type { CheckResult, ConnectorContext, Delivery, DeliveryReceipt, DestinationConnector } from '../../src/sdk/connector.ts';
import type { OptionsResolved } from '../_shared/schema.ts';
import { HubDeliveryError } from '../_shared/delivery-error.ts';
import { fileModeProperty, isPlainFileName, streamToBuffer } from '../_shared/files.ts';
import { classifySftpError, connectionProperties, credentialRule, guardedStream, SftpSession, SftpTimeout } from './session.ts';

export const sftpDestinationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'sftp destination options',
  description: 'Uploads each delivery as a file to a folder on an SFTP server.',
  type: 'object',
  additionalProperties: false,
  required: ['host', 'username', 'remotePath'],
  anyOf: credentialRule,
  properties: {
    ...connectionProperties,
    mode: fileModeProperty,
  },
} as const;

export type SftpDestinationOptions = OptionsResolved<typeof sftpDestinationSchema>;

export class SftpDestination implements DestinationConnector {
  readonly kind = 'sftp';
  private readonly session: SftpSession;
  private readonly root: string;
  private readonly mode: number;

  constructor(
    private readonly o: SftpDestinationOptions,
    private readonly ctx: ConnectorContext,
  ) {
    this.session = new SftpSession(o, ctx.log, ctx.id);
    this.root = o.remotePath.replace(/\/+$/, '') || '/';
    this.mode = parseInt(o.mode, 8);
  }

  /** Connects, and writes then removes a probe file: proves login, folder and write permission. */
  async check(): Promise<CheckResult> {
    try {
      return await this.session.run(async (c) => {
        const st = await c.stat(this.root);
        if (!st.isDirectory) return { ok: false, detail: `${this.session.target}${this.root} is not a folder` };
        const probe = posix.join(this.root, `.check-${randomBytes(4).toString('hex')}.tmp`);
        await c.put(Buffer.alloc(0), probe);
        await c.delete(probe);
        const pin = this.o.hostFingerprint ? 'host key pinned' : 'host key NOT pinned (set hostFingerprint)';
        return { ok: true, detail: `${this.session.target}${this.root} is writable; ${pin}` };
      });
    } catch (err) {
      return { ok: false, detail: `${this.session.target}${this.root}: ${(err as Error).message}` };
    }
  }

  async deliver(d: Delivery): Promise<DeliveryReceipt> {
    const destination = this.ctx.id;
    if (!isPlainFileName(d.fileName)) {
      throw new HubDeliveryError('HUB_ERR_DELIVERY_FILE_NAME', { destination, fileName: d.fileName }, { retryable: false });
    }
    const target = posix.join(this.root, d.fileName);
    const body = Buffer.from(d.body, 'utf8');
    try {
      return await this.session.run(async (c) => {
        if (await this.sameContent(c, target, body)) {
          return { status: 0, detail: `unchanged: ${this.session.target}${target} already has these ${body.length} bytes` };
        }
        const tmp = posix.join(this.root, `.${d.fileName}.${randomBytes(4).toString('hex')}.tmp`);
        try {
          await c.put(body, tmp, { writeStreamOptions: { mode: this.mode } });
          await c.chmod(tmp, this.mode);
          await c.posixRename(tmp, target);
        } catch (err) {
          await c.delete(tmp, true).catch(() => {});
          throw err;
        }
        this.ctx.log.debug({ file: target, bytes: body.length, delivery: d.deliveryId }, 'sftp: delivered');
        return { status: 0, detail: `wrote ${this.session.target}${target} (${body.length} bytes)` };
      });
    } catch (err) {
      const reason = (err as Error).message;
      const kind = classifySftpError(err);
      const path = `${this.session.target}${target}`;
      if (kind === 'access' || kind === 'login') {
        throw new HubDeliveryError('HUB_ERR_DELIVERY_ACCESS', { destination, path, reason }, { retryable: false, cause: err });
      }
      throw new HubDeliveryError('HUB_ERR_DELIVERY_WRITE', { destination, path, reason }, { retryable: true, cause: err });
    }
  }

  async close(): Promise<void> {
    await this.session.end();
  }

  /** The file at `path` holds exactly `body` (read up to body's size, with the download's stall deadline). */
  private async sameContent(c: SftpClient, path: string, body: Buffer): Promise<boolean> {
    let st;
    try {
      st = await c.stat(path);
    } catch (err) {
      if (classifySftpError(err) === 'missing') return false;
      throw err;
    }
    if (!st.isFile || st.size !== body.length) return false;
    if (body.length === 0) return true;
    const stream = guardedStream(c.createReadStream(path, { start: 0, end: body.length - 1 }) as unknown as Readable, () => {}, {
      ms: this.o.timeoutMs,
      onStall: () => this.session.reset(),
      error: () => new SftpTimeout('the read of the file already there', this.o.timeoutMs),
    });
    return (await streamToBuffer(stream)).equals(body);
  }
}

