// The CDK app's context keys: what `-c key=value` accepts and what it refuses before any synthesis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readYubinContext } from '../../lib/context.js';

const reader =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

test('a domain alone gives the documented defaults', () => {
  const context = readYubinContext(reader({ domain: 'Example.COM' }));
  assert.deepEqual(context, { stackName: 'Yubin', stackProps: { domain: 'example.com', egress: 'ses', mtaStsMode: 'enforce' } });
});

test('every optional key is read, strings from the command line included', () => {
  const context = readYubinContext(
    reader({
      domain: 'example.com',
      egress: 'direct',
      mtaStsMode: 'testing',
      hostedZoneId: 'Z1',
      availabilityZones: 'eu-west-1a, eu-west-1b',
      minTasks: '2',
      tableDeletionProtection: 'false',
      alarmEmail: 'ops@example.com',
      certificateSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:cert-AbCdEf',
      mailHost: 'mx.example.com',
      dnsblZones: 'zen.spamhaus.org, bl.example.net',
      stackName: 'MailProd',
      acmeEmail: 'ops@example.com',
      acmeDirectory: 'production',
    }),
  );
  assert.deepEqual(context, {
    stackName: 'MailProd',
    stackProps: {
      domain: 'example.com',
      egress: 'direct',
      mtaStsMode: 'testing',
      hostedZoneId: 'Z1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      minTasks: 2,
      tableDeletionProtection: false,
      alarmEmail: 'ops@example.com',
      tlsCertificateSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:cert-AbCdEf',
      mailHost: 'mx.example.com',
      smtpPolicy: { dnsblZones: ['zen.spamhaus.org', 'bl.example.net'] },
      acme: { email: 'ops@example.com', directory: 'production' },
    },
  });
});

test('bad values stop synthesis with a message naming the key', () => {
  assert.throws(() => readYubinContext(reader({})), /domain is required/);
  assert.throws(() => readYubinContext(reader({ domain: 'localhost' })), /not a domain name/);
  assert.throws(() => readYubinContext(reader({ domain: 'example.com', egress: 'sink' })), /egress must be ses, direct or smarthost/);
  assert.throws(() => readYubinContext(reader({ domain: 'example.com', acmeEmail: 'ops@example.com' })), /acmeEmail needs hostedZoneId/);
  assert.throws(
    () => readYubinContext(reader({ domain: 'example.com', hostedZoneId: 'Z1', acmeEmail: 'a@example.com', acmeDirectory: 'prod' })),
    /acmeDirectory must be staging or production/,
  );
  assert.throws(() => readYubinContext(reader({ domain: 'example.com', minTasks: '0' })), /minTasks/);
  assert.throws(
    () => readYubinContext(reader({ domain: 'example.com', mtaStsMode: 'strict' })),
    /mtaStsMode must be one of enforce, testing, none/,
  );
  assert.throws(() => readYubinContext(reader({ domain: 'example.com', tableDeletionProtection: 'no' })), /tableDeletionProtection/);
});
