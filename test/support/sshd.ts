/**
 * A real OpenSSH server for the SFTP tests, on a free loopback port, with its own host key, a user
 * key for the current user and `internal-sftp`. Nothing is mocked and nothing is skipped: when sshd
 * is missing it is installed with apt-get; when that or the start fails, the test FAILS with what to do.
 *
 * Use: `const sshd = await startSshd()` in beforeAll, `await sshd.stop()` in afterAll.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** The user's private key (OpenSSH format text), accepted by the server. */
  readonly privateKey: string;
  /** `SHA256:...` fingerprint of the server's host key. */
  readonly hostFingerprint: string;
  /** A fresh empty folder for the test (sftp paths are the local paths: no chroot). */
  readonly dir: string;
  /**
   * Stop (SIGSTOP) the processes serving the sessions open now, as a server that stopped answering
   * while its connections stay up; the listener keeps accepting new sessions. Returns a function that
   * lets them run again (SIGCONT).
   */
  freezeSessions(): () => void;
  stop(): Promise<void>;
}

function ensureSshdInstalled(): void {
  if (existsSync(SSHD)) return;
  try {
    execFileSync('apt-get', ['update'], { stdio: 'pipe', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'openssh-server'], {
      stdio: 'pipe',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `The SFTP tests need OpenSSH's sshd at ${SSHD} and installing it with apt-get failed: ` +
        `${e.stderr?.toString().trim() || e.message}. Install the openssh-server package (as root: ` +
        'apt-get update && apt-get install -y openssh-server) and run the tests again.',
    );
  }
  if (!existsSync(SSHD)) throw new Error(`openssh-server was installed but ${SSHD} is still missing`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the port answers with an SSH banner. */
async function waitForBanner(port: number, timeoutMs: number, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = exited();
    if (why !== null) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.setTimeout(1000);
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export async function startSshd(): Promise<Sshd> {
  ensureSshdInstalled();
  const root = mkdtempSync(join(tmpdir(), 'cgic-sshd-'));
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cgic-test', '-f', file], { stdio: 'pipe' });
  keygen(join(root, 'host_ed25519'));
  keygen(join(root, 'user_ed25519'));
  writeFileSync(join(root, 'authorized_keys'), readFileSync(join(root, 'user_ed25519.pub')));
  const fpOut = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(root, 'host_ed25519.pub')]).toString();
  const hostFingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(fpOut)?.[0];
  if (!hostFingerprint) throw new Error(`cannot read the host key fingerprint from: ${fpOut}`);
  const dir = join(root, 'files');
  mkdirSync(dir);
  // Privilege separation needs this folder when sshd runs as root.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = join(root, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(root, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(root, 'authorized_keys')}`,
        `PidFile ${join(root, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin yes',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'Subsystem sftp internal-sftp',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let exit: string | null = null;
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code, signal) => (exit = `sshd exited (${code ?? signal}): ${stderr.trim()}`));
    child.once('error', (err) => (exit = `sshd could not be started: ${err.message}`));
    try {
      await waitForBanner(port, 10_000, () => exit);
    } catch (err) {
      child.kill('SIGKILL');
      lastError = (err as Error).message;
      continue; // most likely the port was taken between freePort() and the bind: try another one
    }
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    };
    const sessions = (): number[] => {
      const found: number[] = [];
      const todo = [child.pid!];
      while (todo.length) {
        const pid = todo.pop()!;
        let tasks: string[] = [];
        try {
          tasks = readdirSync(`/proc/${pid}/task`);
        } catch {
          continue; // ended meanwhile
        }
        for (const task of tasks) {
          let kids = '';
          try {
            kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
          } catch {
            continue;
          }
          for (const kid of kids ? kids.split(/\s+/).map(Number) : []) {
            found.push(kid);
            todo.push(kid);
          }
        }
      }
      return found;
    };
    const freezeSessions = (): (() => void) => {
      const frozen = sessions();
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      return () => {
        for (const pid of frozen) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // ended meanwhile
          }
        }
      };
    };
    return {
      host: '127.0.0.1',
      port,
      freezeSessions,
      username: userInfo().username,
      privateKey: readFileSync(join(root, 'user_ed25519'), 'utf8'),
      hostFingerprint,
      dir,
      stop,
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw new Error(
    `The SFTP tests need a local OpenSSH server and it did not start: ${lastError}. ` +
      `Run \`${SSHD} -D -e -f <config>\` by hand to see why (as root, /run/sshd must exist).`,
  );
}
