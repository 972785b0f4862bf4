import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSelfSignedCertificate } from '../../../../core/tls/certificates.js';
import { SecretsManagerCertificateSource } from '../../../../core/tls/secrets-manager-certificate-source.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:yubin/tls-certificate-AbCdEf';

/** A loopback stand-in for the Secrets Manager JSON 1.1 API: GetSecretValue only, one secret. */
async function startSecretsManager(secret: () => string) {
  const requests: { target: string | undefined; body: { SecretId?: string } }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(body) as { SecretId?: string } });
      const authorized = /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//.test(req.headers.authorization ?? '');
      res.writeHead(authorized ? 200 : 403, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(authorized ? { ARN: SECRET_ARN, Name: 'yubin/tls-certificate', SecretString: secret() } : { __type: 'AccessDeniedException' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
  return { client, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('serves a self-signed certificate while the secret is {} and the stored pair once it is filled', async () => {
  let secret = '{}';
  const stand = await startSecretsManager(() => secret);
  try {
    const source = new SecretsManagerCertificateSource(stand.client, SECRET_ARN, 'mail.example.test');
    const fallback = await source.load();
    assert.match(fallback.certPem, /BEGIN CERTIFICATE/);
    assert.equal((await source.load()).certPem, fallback.certPem, 'the fallback is made once, not on every poll');

    const issued = await createSelfSignedCertificate('issued.example.test');
    secret = JSON.stringify(issued);
    assert.deepEqual(await source.load(), issued);
    assert.equal(stand.requests.length, 3);
    assert.equal(stand.requests[0]?.target, 'secretsmanager.GetSecretValue');
    assert.equal(stand.requests[0]?.body.SecretId, SECRET_ARN);
  } finally {
    await stand.close();
  }
});

test('a secret that is not JSON is an error, not a silent fallback', async () => {
  const stand = await startSecretsManager(() => '-----BEGIN CERTIFICATE-----');
  try {
    const source = new SecretsManagerCertificateSource(stand.client, SECRET_ARN, 'mail.example.test');
    await assert.rejects(source.load(), /not JSON/);
  } finally {
    await stand.close();
  }
});
