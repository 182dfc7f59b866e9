/**
 * Test certificates made with the `openssl` command: a CA, a server certificate for 127.0.0.1 /
 * localhost, and a client certificate (for mutual TLS), all signed by the CA; plus a second,
 * unrelated CA and client certificate that the server must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Client certificate and key signed by another CA. */
  rogueClientCert: string;
  rogueClientKey: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'cgic-pki-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const ca = (name: string) => {
      ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
        '-keyout', `${name}.key`, '-out', `${name}.pem`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    };
    const leaf = (name: string, caName: string, ext: string) => {
      writeFileSync(join(dir, `${name}.ext`), ext);
      ossl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial',
        '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
    };
    ca('test-ca');
    ca('rogue-ca');
    leaf('server', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    leaf('hub-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
    leaf('rogue-client', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      ca: read('test-ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('hub-client.pem'),
      clientKey: read('hub-client.key'),
      rogueClientCert: read('rogue-client.pem'),
      rogueClientKey: read('rogue-client.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
