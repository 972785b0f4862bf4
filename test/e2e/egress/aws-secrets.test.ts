// DKIM keys and smarthost credentials in Secrets Manager, as on AWS: the real `yubin` CLI (child
// process) writes keys against DynamoDB Local and the Secrets Manager stand-in; an egress worker on the
// same emulators signs with them and relays through a smarthost whose credentials come from a secret;
// the relay's copy is verified with mailauth against the TXT record the CLI printed. Then rotation
// (visible once the egress cache ages out) and the migration of a key that an older version kept in the table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dkimVerify } from 'mailauth';
import { createAwsClients, type AwsClients } from '../../../core/adapters/aws/aws-clients.js';
import { openAwsStorage } from '../../../core/adapters/aws/open-aws-storage.js';
import { DKIM_KEY_CACHE_MS } from '../../../core/adapters/aws/secrets-manager-dkim-keys.js';
import { SecretsManagerJsonObject } from '../../../core/adapters/aws/secrets-manager-json-object.js';
import { SMARTHOST_SECRET_CACHE_MS, smarthostRelaySource } from '../../../core/adapters/aws/secrets-manager-smarthost.js';
import { directoryTable, tableName } from '../../../core/adapters/aws/table-design.js';
import { generateDkimKey } from '../../../core/dkim/generate-dkim-key.js';
import type { AwsConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import { startEgressWorker, type EgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
import { EMULATOR_CREDENTIALS, leaseAwsEmulators } from '../../support/aws-emulators.js';
import { backendEnv, removeCliBundle, runYubin } from '../cli/cli-harness.js';
import { egressConfig, eventually, SENDER, startFakeMx, submitOutbound, testMessage, type FakeMx } from './support/egress-fixture.js';

const RELAY_LOGIN = { user: 'yubin', pass: 'relay-password-from-the-secret' };
const SMARTHOST_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:yubin-test/smarthost-AbCdEf';

let lease: Awaited<ReturnType<typeof leaseAwsEmulators>>;
let aws: AwsConfig;
let env: Record<string, string>;
let raw: AwsClients;
let storage: Storage;
let relay: FakeMx;
let worker: EgressWorker;
/** Added to the clock of the egress side's secret caches: lets a test age them without waiting. */
let clockOffsetMs = 0;
const clock = () => Date.now() + clockOffsetMs;

const yubin = async (...args: string[]) => {
  const result = await runYubin(args, { env });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
};
const secretJson = () =>
  JSON.parse(lease.emulators.secretsManager.secrets.get(aws.dkimSecretArn!) ?? '{}') as Record<string, Record<string, string>>;
const tableRow = async (domain: string) =>
  (
    await raw.dynamo.send(
      new GetCommand({ TableName: tableName(aws.tablePrefix, directoryTable), Key: { pk: `domain#${domain}`, sk: 'dkim' } }),
    )
  ).Item;

/** The TXT records the CLI printed, by owner name: what the admin publishes. */
const published = new Map<string, string>();
function publish(cliOutput: string): void {
  for (const [, name, strings] of cliOutput.matchAll(/^(\S+)\.\t\d+\tIN\tTXT\t(.+)$/gmu)) {
    published.set(name!, [...strings!.matchAll(/"([^"]*)"/gu)].map((part) => part[1]).join(''));
  }
}

async function verify(rawMessage: string) {
  const { results } = await dkimVerify(Buffer.from(rawMessage), {
    resolver: async (name: string, rrtype: string) => {
      const record = rrtype === 'TXT' ? published.get(name) : undefined;
      if (record !== undefined) return [[record]];
      throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    },
  });
  assert.equal(results.length, 1);
  return { result: results[0]!.status.result, selector: results[0]!.selector, domain: results[0]!.signingDomain };
}

async function relayed(subject: string): Promise<string> {
  await submitOutbound(storage, testMessage(['pat@anywhere.test'], subject), ['pat@anywhere.test']);
  const message = await eventually(async () => relay.received.find((m) => m.raw.includes(`Subject: ${subject}`)), `relay of ${subject}`);
  return message.raw;
}

before(async () => {
  lease = await leaseAwsEmulators();
  aws = await lease.emulators.createBackend();
  env = backendEnv(aws);
  raw = createAwsClients(aws, EMULATOR_CREDENTIALS);
  storage = await openAwsStorage(aws, { credentials: EMULATOR_CREDENTIALS, clock });
  relay = await startFakeMx('relay.provider.test', RELAY_LOGIN);
  // The stack's smarthost secret: host, port and credentials; the environment names none of them.
  lease.emulators.secretsManager.secrets.set(
    SMARTHOST_SECRET_ARN,
    JSON.stringify({ host: '127.0.0.1', port: relay.port, username: RELAY_LOGIN.user, password: RELAY_LOGIN.pass }),
  );
  const smarthostSecret = new SecretsManagerJsonObject(lease.emulators.secretsManager.client, SMARTHOST_SECRET_ARN, {
    maxAgeMs: SMARTHOST_SECRET_CACHE_MS,
    clock,
  });
  worker = startEgressWorker({
    storage,
    config: egressConfig({ mode: 'smarthost' }),
    hostname: 'mail.sender.test',
    logger: createLogger({ write: () => undefined }),
    transportDeps: { tlsOptions: { ca: relay.certificate.certPem }, smarthostSettings: smarthostRelaySource(smarthostSecret) },
  });
  await yubin('domain', 'add', 'sender.test');
  await storage.directory.addUser({ address: SENDER, passwordHash: 'not-used-here' });
});

after(async () => {
  await worker.stop();
  await relay.close();
  await storage.close();
  raw.destroy();
  await removeCliBundle();
  await lease.release();
});

test('yubin dkim generate puts the private key in the secret, not the table; egress signs with it via the secret smarthost', async () => {
  publish(await yubin('dkim', 'generate', 'sender.test', '--selector', 's1'));
  assert.match(published.get('s1._domainkey.sender.test') ?? '', /^v=DKIM1; k=rsa; p=MII/u);

  const stored = secretJson()['sender.test'];
  assert.equal(stored?.selector, 's1');
  assert.match(stored?.privateKeyPem ?? '', /^-----BEGIN PRIVATE KEY-----/u);
  const row = await tableRow('sender.test');
  assert.equal(row?.selector, 's1');
  assert.equal(row?.algorithm, 'rsa-sha256');
  assert.equal(row?.privateKeyPem, undefined, 'the table keeps no private key');

  const message = await relayed('Signed from the secret');
  assert.deepEqual(await verify(message), { result: 'pass', selector: 's1', domain: 'sender.test' });
  // The relay took the login from the secret (it refuses any other).
  assert.equal(relay.received.length, 1);
});

test('a rotated key signs once the egress cache ages out (minutes, not a restart)', async () => {
  publish(await yubin('dkim', 'generate', 'sender.test', '--selector', 's2'));
  assert.equal(secretJson()['sender.test']?.selector, 's2');

  // Within the cache period egress still signs with s1, whose record stays published during a rotation.
  assert.deepEqual(await verify(await relayed('Before the cache ages out')), { result: 'pass', selector: 's1', domain: 'sender.test' });
  clockOffsetMs += DKIM_KEY_CACHE_MS + 1000;
  assert.deepEqual(await verify(await relayed('After the cache aged out')), { result: 'pass', selector: 's2', domain: 'sender.test' });
});

test('a key an older version kept in the table is still read (egress, yubin dns), and yubin dkim migrate moves it into the secret', async () => {
  await yubin('domain', 'add', 'legacy.test');
  const legacy = generateDkimKey('legacy.test', 'old', { now: new Date('2026-01-01T00:00:00Z') });
  await raw.dynamo.send(
    new PutCommand({
      TableName: tableName(aws.tablePrefix, directoryTable),
      Item: { pk: 'domain#legacy.test', sk: 'dkim', ...legacy, createdAt: legacy.createdAt.toISOString() },
    }),
  );
  assert.equal(secretJson()['legacy.test'], undefined);
  assert.equal((await storage.directory.getDkimKey('legacy.test'))?.privateKeyPem, legacy.privateKeyPem, 'read fallback');
  // `yubin dns` still prints its record (it derives p= from the key it reads).
  publish(await yubin('dns', 'legacy.test'));
  assert.match(published.get('old._domainkey.legacy.test') ?? '', /^v=DKIM1; k=rsa; p=MII/u);

  const migrated = await yubin('dkim', 'migrate');
  assert.match(migrated, /^legacy\.test: key old stored$/mu);
  assert.match(migrated, /^sender\.test: key s2 stored$/mu);
  assert.equal(secretJson()['legacy.test']?.privateKeyPem, legacy.privateKeyPem);
  assert.equal(secretJson()['sender.test']?.selector, 's2', 'keys already in the secret are kept');
  const row = await tableRow('legacy.test');
  assert.equal(row?.selector, 'old');
  assert.equal(row?.privateKeyPem, undefined, 'the private key left the table');
});

test('removing a domain removes its key from the secret', async () => {
  await yubin('domain', 'remove', 'legacy.test');
  assert.equal(secretJson()['legacy.test'], undefined);
  assert.equal(await tableRow('legacy.test'), undefined);
  assert.equal(secretJson()['sender.test']?.selector, 's2');
});
