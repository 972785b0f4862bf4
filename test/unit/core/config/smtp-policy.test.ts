// YUBIN_* settings of the SMTP policy: defaults per backend, lists, and refusals of bad values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSmtpPolicyConfig } from '../../../../core/config/smtp-policy.js';

test('defaults: no DNSBL, Postfix-like limits, SPF rejects on AWS and tags locally', () => {
  const local = loadSmtpPolicyConfig({ backend: 'local' }, {});
  assert.deepEqual(local, {
    dnsblZones: [],
    dnsServers: [],
    connectionsPerMinutePerIp: 600,
    messagesPerMinutePerIp: 6_000,
    maxConnectionsPerIp: 50,
    maxConnections: 2_000,
    spf: 'tag',
  });
  assert.equal(loadSmtpPolicyConfig({ backend: 'aws' }, {}).spf, 'reject');
  assert.equal(loadSmtpPolicyConfig({ backend: 'aws' }, { YUBIN_SPF: 'off' }).spf, 'off');
});

test('lists are comma-separated with blanks dropped; numbers are whole and non-negative', () => {
  const settings = loadSmtpPolicyConfig(
    { backend: 'local' },
    { YUBIN_DNSBL_ZONES: ' zen.spamhaus.org,,bl.example ', YUBIN_SMTP_DNS_SERVERS: '127.0.0.1:5353', YUBIN_SMTP_CONNECTION_RATE: '0' },
  );
  assert.deepEqual(settings.dnsblZones, ['zen.spamhaus.org', 'bl.example']);
  assert.deepEqual(settings.dnsServers, ['127.0.0.1:5353']);
  assert.equal(settings.connectionsPerMinutePerIp, 0);
  assert.throws(() => loadSmtpPolicyConfig({ backend: 'local' }, { YUBIN_SPF: 'softfail' }), /YUBIN_SPF must be one of off, tag, reject/);
  assert.throws(() => loadSmtpPolicyConfig({ backend: 'local' }, { YUBIN_SMTP_MESSAGE_RATE: '-1' }), /YUBIN_SMTP_MESSAGE_RATE must be a non-negative integer/);
});
