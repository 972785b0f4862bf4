import assert from 'node:assert/strict';
import { test } from 'node:test';
import selfsigned from 'selfsigned';
import { certificateNames, readCertificateFacts, renewalReason } from '../../../../core/acme/renewal-policy.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const DAY_MS = 24 * 3600_000;
const NAMES = certificateNames('example.com', 'mail.example.com');

test('the certificate covers the mail host and the three HTTPS hosts of the domain, once each', () => {
  assert.deepEqual(NAMES, ['mail.example.com', 'mta-sts.example.com', 'autoconfig.example.com', 'autodiscover.example.com']);
  assert.deepEqual(certificateNames('Example.com', 'AUTOCONFIG.example.com'), [
    'autoconfig.example.com',
    'mta-sts.example.com',
    'autodiscover.example.com',
  ]);
});

test('renews when nothing is stored, when a name is missing, and under 30 days; keeps it otherwise', () => {
  const valid = (days: number, dnsNames = NAMES) => ({ notAfter: new Date(NOW.getTime() + days * DAY_MS), dnsNames });
  assert.equal(renewalReason(null, NAMES, NOW, 30), 'no certificate stored');
  assert.equal(renewalReason(valid(80, NAMES.slice(0, 3)), NAMES, NOW, 30), 'names not covered');
  assert.equal(renewalReason(valid(29.9), NAMES, NOW, 30), 'expires soon');
  assert.equal(renewalReason(valid(-1), NAMES, NOW, 30), 'expires soon');
  assert.equal(renewalReason(valid(30.1), NAMES, NOW, 30), null);
  assert.equal(renewalReason(valid(80, [...NAMES, 'extra.example.com']), NAMES, NOW, 30), null, 'more names than needed is fine');
});

test('reads expiry and DNS names from the leaf of a PEM chain, ignoring IP addresses', async () => {
  const notAfter = new Date('2027-02-01T00:00:00Z');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'mail.example.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: NOW,
    notAfterDate: notAfter,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'Mail.Example.com' },
          { type: 2, value: 'mta-sts.example.com' },
          { type: 7, ip: '192.0.2.1' },
        ],
      },
    ],
  });
  const facts = readCertificateFacts(pems.cert + pems.cert);
  assert.deepEqual(facts, { notAfter, dnsNames: ['mail.example.com', 'mta-sts.example.com'] });
});
