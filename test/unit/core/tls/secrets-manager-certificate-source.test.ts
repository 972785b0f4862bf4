import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSelfSignedCertificate } from '../../../../core/tls/certificates.js';
import { SecretsManagerCertificateSource } from '../../../../core/tls/secrets-manager-certificate-source.js';
import { startSecretsManagerStandIn } from '../../../support/secrets-manager-stand-in.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:yubin/tls-certificate-AbCdEf';

test('serves a self-signed certificate while the secret is {} and the stored pair once it is filled', async () => {
  const stand = await startSecretsManagerStandIn(new Map([[SECRET_ARN, '{}']]));
  try {
    const source = new SecretsManagerCertificateSource(stand.client, SECRET_ARN, 'mail.example.test');
    const fallback = await source.load();
    assert.match(fallback.certPem, /BEGIN CERTIFICATE/);
    assert.equal((await source.load()).certPem, fallback.certPem, 'the fallback is made once, not on every poll');

    const issued = await createSelfSignedCertificate('issued.example.test');
    stand.secrets.set(SECRET_ARN, JSON.stringify(issued));
    assert.deepEqual(await source.load(), issued);
    assert.equal(stand.requests.length, 3);
    assert.equal(stand.requests[0]?.target, 'secretsmanager.GetSecretValue');
    assert.equal(stand.requests[0]?.body.SecretId, SECRET_ARN);
  } finally {
    await stand.close();
  }
});

test('a secret that is not JSON is an error, not a silent fallback', async () => {
  const stand = await startSecretsManagerStandIn(new Map([[SECRET_ARN, '-----BEGIN CERTIFICATE-----']]));
  try {
    const source = new SecretsManagerCertificateSource(stand.client, SECRET_ARN, 'mail.example.test');
    await assert.rejects(source.load(), /not JSON/);
  } finally {
    await stand.close();
  }
});
