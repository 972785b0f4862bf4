import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACME_DIRECTORIES, loadAcmeConfig } from '../../../../core/config/acme.js';

const ENV = {
  YUBIN_ACME_EMAIL: 'postmaster@example.com',
  YUBIN_ACME_NAMES: 'Mail.example.com, mta-sts.example.com',
  YUBIN_ACME_HOSTED_ZONE_ID: 'Z123',
  YUBIN_ACME_ACCOUNT_SECRET_ARN: 'arn:account',
  YUBIN_TLS_SECRET_ARN: 'arn:tls',
  AWS_REGION: 'eu-west-1',
};

test('Let’s Encrypt staging unless production is asked for; names lower-cased; 30 days by default', () => {
  const config = loadAcmeConfig(ENV);
  assert.equal(config.directoryUrl, ACME_DIRECTORIES.staging);
  assert.deepEqual(config.names, ['mail.example.com', 'mta-sts.example.com']);
  assert.equal(config.renewBeforeDays, 30);
  assert.equal(config.region, 'eu-west-1');
  assert.equal(loadAcmeConfig({ ...ENV, YUBIN_ACME_DIRECTORY: 'production' }).directoryUrl, ACME_DIRECTORIES.production);
});

test('a missing setting or a bad value is named in the error', () => {
  assert.throws(() => loadAcmeConfig({ ...ENV, YUBIN_ACME_HOSTED_ZONE_ID: '' }), /YUBIN_ACME_HOSTED_ZONE_ID/);
  assert.throws(() => loadAcmeConfig({ ...ENV, YUBIN_ACME_DIRECTORY: 'prod' }), /staging, production or a directory URL/);
  assert.throws(() => loadAcmeConfig({ ...ENV, YUBIN_ACME_RENEW_BEFORE_DAYS: '90' }), /1 to 60/);
  assert.throws(() => loadAcmeConfig({ ...ENV, YUBIN_ACME_NAMES: ' , ' }), /at least one/);
});
