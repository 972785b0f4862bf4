// The cached JSON secret under the DKIM keys and the smarthost settings, over real HTTP against the
// Secrets Manager stand-in: one read per cache period, a failed read not cached, writes that refresh
// this process's cache, Secrets Manager's 64 KB limit checked before the write, and the smarthost
// fields (secret over environment).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SecretsManagerJsonObject, SECRET_VALUE_MAX_BYTES } from '../../../../../core/adapters/aws/secrets-manager-json-object.js';
import { smarthostRelayFrom } from '../../../../../core/adapters/aws/secrets-manager-smarthost.js';
import { loadEgressConfig } from '../../../../../core/config/egress.js';
import { loadConfig } from '../../../../../core/config/index.js';
import { isStorageError } from '../../../../../core/ports/errors.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../../../support/secrets-manager-stand-in.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:test/dkim-keys-AbCdEf';
let standIn: SecretsManagerStandIn;
let now = 0;
const reads = () => standIn.requests.filter((request) => request.target === 'secretsmanager.GetSecretValue').length;

before(async () => {
  standIn = await startSecretsManagerStandIn(new Map());
});
after(() => standIn.close());

function freshSecret(value: string, maxAgeMs = 60_000): SecretsManagerJsonObject {
  standIn.secrets.set(ARN, value);
  standIn.requests.length = 0;
  return new SecretsManagerJsonObject(standIn.client, ARN, { maxAgeMs, clock: () => now });
}

test('reads once per cache period; a change elsewhere shows after it', async () => {
  const secret = freshSecret('{"a": 1}');
  const [first, second] = await Promise.all([secret.read(), secret.read()]);
  assert.deepEqual([first, second], [{ a: 1 }, { a: 1 }]);
  assert.equal(reads(), 1, 'concurrent callers share one request');
  standIn.secrets.set(ARN, '{"a": 2}');
  now += 59_999;
  assert.deepEqual(await secret.read(), { a: 1 });
  now += 1;
  assert.deepEqual(await secret.read(), { a: 2 });
  assert.equal(reads(), 2);
});

test('a failed read is not cached, and a secret that is not a JSON object is a StorageError', async () => {
  const secret = freshSecret('not json');
  await assert.rejects(secret.read(), (error) => isStorageError(error, 'invalid'));
  standIn.secrets.set(ARN, '["an array"]');
  await assert.rejects(secret.read(), (error) => isStorageError(error, 'invalid'));
  standIn.secrets.set(ARN, '{}');
  assert.deepEqual(await secret.read(), {});
  const missing = new SecretsManagerJsonObject(standIn.client, `${ARN}-gone`, { maxAgeMs: 60_000 });
  await assert.rejects(missing.read(), (error) => isStorageError(error, 'not-found'));
});

test('update reads fresh, writes, and refreshes the cache of this process', async () => {
  const secret = freshSecret('{"kept": true}');
  await secret.read();
  standIn.secrets.set(ARN, '{"kept": true, "elsewhere": 1}');
  await secret.update((current) => ({ ...current, mine: 2 }));
  assert.deepEqual(JSON.parse(standIn.secrets.get(ARN)!), { kept: true, elsewhere: 1, mine: 2 }, 'a change made elsewhere is not lost');
  assert.deepEqual(await secret.read(), { kept: true, elsewhere: 1, mine: 2 });
});

test('a value over 64 KB is refused before it reaches Secrets Manager', async () => {
  const secret = freshSecret('{}');
  const big = 'x'.repeat(SECRET_VALUE_MAX_BYTES);
  await assert.rejects(
    secret.update(() => ({ big })),
    (error) => isStorageError(error, 'invalid') && /65536 bytes/u.test(error.message),
  );
  assert.equal(standIn.secrets.get(ARN), '{}');
  assert.equal(standIn.requests.filter((request) => request.target === 'secretsmanager.PutSecretValue').length, 0);
});

test('smarthost settings: the secret fields win over the environment, which fills the rest', () => {
  const fromEnvironment = { host: 'relay.env.test', port: 465, implicitTls: true, user: 'env-user', password: 'env-password' };
  assert.deepEqual(smarthostRelayFrom({ username: 'secret-user', password: 'secret-password' }, fromEnvironment), {
    ...fromEnvironment,
    user: 'secret-user',
    password: 'secret-password',
  });
  assert.deepEqual(smarthostRelayFrom({ host: 'relay.secret.test', username: 'u', password: 'p' }, undefined), {
    host: 'relay.secret.test',
    port: 587,
    implicitTls: false,
    user: 'u',
    password: 'p',
  });
  assert.deepEqual(smarthostRelayFrom({}, fromEnvironment), fromEnvironment, 'the stack creates the secret as {}');
  assert.throws(() => smarthostRelayFrom({ username: 'u' }, undefined), /no host/u);
  assert.throws(() => smarthostRelayFrom({ host: 'h', port: '587' }, undefined), /port must be a number/u);
});

test('smarthost mode needs YUBIN_SMARTHOST or the smarthost secret', () => {
  const env = { YUBIN_BACKEND: 'aws', YUBIN_EGRESS: 'smarthost' };
  assert.throws(() => loadEgressConfig(loadConfig(env), env), /YUBIN_SMARTHOST=host:port or YUBIN_SMARTHOST_SECRET_ARN/u);
  const withSecret = { ...env, YUBIN_SMARTHOST_SECRET_ARN: ARN };
  const config = loadConfig(withSecret);
  assert.equal(config.aws.smarthostSecretArn, ARN);
  assert.equal(loadEgressConfig(config, withSecret).smarthost, undefined);
  const both = { ...withSecret, YUBIN_SMARTHOST: 'relay.env.test:2525', YUBIN_SMARTHOST_USER: 'env-user' };
  assert.deepEqual(loadEgressConfig(loadConfig(both), both).smarthost, {
    host: 'relay.env.test',
    port: 2525,
    implicitTls: false,
    user: 'env-user',
    password: undefined,
  });
});
