// Let's Encrypt's test ACME server, pebble (Debian package `pebble`), on free loopback ports with its
// DNS-01 lookups sent to a loopback DNS server. Its HTTPS API uses a certificate made here, which the
// ACME client must trust (NODE_EXTRA_CA_CERTS=trustFile). Tests skip when the binary is absent.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSelfSignedCertificate } from '../../core/tls/certificates.js';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

export interface Pebble {
  readonly directoryUrl: string;
  /** PEM file of the certificate pebble's API serves. */
  readonly trustFile: string;
  /** The root that signs issued certificates (pebble makes a new one at every start). */
  rootCertificatePem(): Promise<string>;
  stop(): Promise<void>;
}

/** The pebble binary on PATH, or null when the package is not installed. */
export function findPebble(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'pebble');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** pebble's VA queries `dnsServer` (host:port) for every DNS-01 record. */
export async function startPebble(binary: string, dnsServer: string): Promise<Pebble> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yubin-pebble-'));
  const api = await createSelfSignedCertificate('localhost');
  const trustFile = path.join(dir, 'api-cert.pem');
  await writeFile(trustFile, api.certPem);
  await writeFile(path.join(dir, 'api-key.pem'), api.keyPem);
  const [listen, management, http01, tlsAlpn01] = [await freePort(), await freePort(), await freePort(), await freePort()];
  await writeFile(
    path.join(dir, 'pebble-config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listen}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: trustFile,
        privateKey: path.join(dir, 'api-key.pem'),
        // Ports pebble would dial for http-01 and tls-alpn-01; these tests answer dns-01 only.
        httpPort: http01,
        tlsPort: tlsAlpn01,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child = spawn(binary, ['-config', path.join(dir, 'pebble-config.json'), '-dnsserver', dnsServer], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PEBBLE_VA_NOSLEEP: '1', // validate at once instead of after a random pause
      PEBBLE_WFE_NONCEREJECT: '0', // by default pebble rejects 5 % of good nonces to test client retries
      PEBBLE_AUTHZREUSE: '0', // every order gets fresh authorizations, so every run publishes records
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const directoryUrl = `https://127.0.0.1:${listen}/dir`;
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`pebble exited with ${child.exitCode}: ${output}`);
        return httpsGet(directoryUrl, api.certPem).catch(() => undefined);
      },
      'pebble to serve its directory',
      15_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    directoryUrl,
    trustFile,
    rootCertificatePem: () => httpsGet(`https://127.0.0.1:${management}/roots/0`, api.certPem),
    stop,
  };
}
