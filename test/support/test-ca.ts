// A throwaway certificate authority and one server certificate it signed, made with the openssl CLI:
// clients in tests verify the chain and the host name for real (curl --cacert, node's `ca`,
// NODE_EXTRA_CA_CERTS) instead of switching verification off.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCa {
  /** The CA certificate (PEM) and its path, for clients to trust. */
  readonly caPem: string;
  readonly caPath: string;
  /** The server's key and certificate (PEM), covering the names given. */
  readonly keyPem: string;
  readonly certPem: string;
  remove(): void;
}

/** `names` become DNS subjectAltNames; 127.0.0.1 is always added as an IP name. */
export function createTestCa(names: readonly string[]): TestCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'yubin-test-ca-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // P-256 keys: generated in milliseconds, unlike RSA on a busy machine.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Yubin Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  openssl(['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${names[0] ?? 'localhost'}`]);
  writeFileSync(
    file('server.ext'),
    [`subjectAltName=${[...names.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',')}`, 'extendedKeyUsage=serverAuth', ''].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  ]);
  return {
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    caPath: file('ca.pem'),
    keyPem: readFileSync(file('server.key'), 'utf8'),
    certPem: readFileSync(file('server.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
