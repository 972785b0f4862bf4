// The renewal use case with stores in memory and an issuer that signs its own certificates: what is
// stored, and what is refused. (The whole path against a real CA: test/e2e/acme/acme-renewal.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import selfsigned from 'selfsigned';
import type { CertificateStore, StoredCertificate } from '../../../../core/acme/ports.js';
import { certificateNames } from '../../../../core/acme/renewal-policy.js';
import { renewCertificate, type CertificateIssuer } from '../../../../core/acme/renew-certificate.js';
import { createLogger } from '../../../../core/log/logger.js';
import type { CertificatePem } from '../../../../core/tls/certificates.js';

const NAMES = certificateNames('example.com', 'mail.example.com');

const DIRECTORY = 'https://acme.example.test/directory';

class MemoryCertificateStore implements CertificateStore {
  constructor(public pem: StoredCertificate | null) {}
  async load(): Promise<StoredCertificate | null> {
    return this.pem;
  }
  async save(pem: StoredCertificate): Promise<void> {
    this.pem = pem;
  }
}

async function certificateFor(names: readonly string[], days: number): Promise<CertificatePem> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: names[0]! }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + days * 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}

function issuerOf(names: readonly string[]): CertificateIssuer & { calls: number } {
  return {
    calls: 0,
    async issue() {
      this.calls += 1;
      return certificateFor(names, 90);
    },
  };
}

function deps(certificates: CertificateStore, issuer: CertificateIssuer, lines: string[] = []) {
  return {
    certificates,
    issuer,
    directoryUrl: DIRECTORY,
    names: NAMES,
    renewBeforeDays: 30,
    now: () => new Date(),
    logger: createLogger({ write: (line) => lines.push(line) }),
  };
}

test('an unreadable stored certificate is replaced, not a reason to fail every day', async () => {
  const store = new MemoryCertificateStore({ keyPem: '-----BEGIN PRIVATE KEY-----', certPem: '-----BEGIN CERTIFICATE-----\nnot base64\n' });
  const lines: string[] = [];
  const outcome = await renewCertificate(deps(store, issuerOf(NAMES), lines));
  assert.equal(outcome.renewed, true);
  assert.equal(outcome.reason, 'stored certificate unreadable');
  assert.match(store.pem?.certPem ?? '', /BEGIN CERTIFICATE/);
  assert.ok(!lines.some((line) => line.includes('PRIVATE KEY')), 'keys never reach the logs');
});

test('a certificate that lacks one of the names is refused and the stored one kept', async () => {
  const stored = await certificateFor(NAMES, 10);
  const store = new MemoryCertificateStore(stored);
  await assert.rejects(
    renewCertificate(deps(store, issuerOf(NAMES.slice(0, 2)))),
    /lacks autoconfig\.example\.com, autodiscover\.example\.com/,
  );
  assert.equal(store.pem, stored);
});

test('a fresh certificate for every name is kept without asking the CA', async () => {
  const stored = { ...(await certificateFor(NAMES, 60)), acmeDirectoryUrl: DIRECTORY };
  const issuer = issuerOf(NAMES);
  const outcome = await renewCertificate(deps(new MemoryCertificateStore(stored), issuer));
  assert.deepEqual({ renewed: outcome.renewed, calls: issuer.calls }, { renewed: false, calls: 0 });
});

test('a fresh certificate from another CA (staging, or stored by hand) is replaced by one from this CA', async () => {
  for (const acmeDirectoryUrl of ['https://acme-staging.example.test/directory', undefined]) {
    const fresh = await certificateFor(NAMES, 60);
    const store = new MemoryCertificateStore(acmeDirectoryUrl === undefined ? fresh : { ...fresh, acmeDirectoryUrl });
    const outcome = await renewCertificate(deps(store, issuerOf(NAMES)));
    assert.deepEqual({ renewed: outcome.renewed, reason: outcome.reason }, { renewed: true, reason: 'issued by another CA' });
    assert.equal(store.pem?.acmeDirectoryUrl, DIRECTORY);
  }
});
