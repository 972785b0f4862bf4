import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { FileCertificateSource, TlsContextProvider, createSelfSignedCertificate, type CertificatePem, type CertificateSource } from '../../../../core/tls/certificates.js';

async function peerCertificateOf(port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    // No servername: Python, curl and many clients send no SNI to an IP address.
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

test('FileCertificateSource creates a self-signed pair once and then reuses it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'yubin-tls-'));
  try {
    const first = await new FileCertificateSource(dir, 'mail.example.test').load();
    const second = await new FileCertificateSource(dir, 'mail.example.test').load();
    assert.equal(first.certPem, second.certPem);
    assert.match(await readFile(path.join(dir, 'key.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a running TLS server picks up a renewed certificate without restart', async () => {
  let pem: CertificatePem = await createSelfSignedCertificate('old.example.test');
  const source: CertificateSource = { load: async () => pem };
  const provider = new TlsContextProvider(source);
  assert.equal(await provider.refresh(), true);
  const server = net.createServer((raw) => {
    const secure = new tls.TLSSocket(raw, { isServer: true, ...provider.serverOptions() });
    secure.on('secure', () => secure.end());
    secure.on('error', () => raw.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal((await peerCertificateOf(port)).subject.CN, 'old.example.test');
    pem = await createSelfSignedCertificate('new.example.test');
    assert.equal(await provider.refresh(), true);
    assert.equal(await provider.refresh(), false, 'unchanged source is not reloaded');
    assert.equal((await peerCertificateOf(port)).subject.CN, 'new.example.test');
  } finally {
    server.close();
  }
});
