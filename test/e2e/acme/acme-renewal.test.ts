// The ACME renewal function end to end, bundled by esbuild as Lambda runs it and invoked in a fresh
// node process per run: a real ACME server (pebble) validates DNS-01 records through a loopback DNS
// server, which shows only what the Route 53 stand-in has reported INSYNC; both secrets live in the
// Secrets Manager stand-in. Skipped only when pebble is not installed (CI installs it).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import selfsigned from 'selfsigned';
import { certificateNames } from '../../../core/acme/renewal-policy.js';
import { TlsContextProvider } from '../../../core/tls/certificates.js';
import { SecretsManagerCertificateSource } from '../../../core/tls/secrets-manager-certificate-source.js';
import { eventuallyTrue } from '../../support/eventually.js';
import { startLoopbackDns, type LoopbackDns } from '../../support/loopback-dns.js';
import { findPebble, startPebble, type Pebble } from '../../support/pebble.js';
import { startRoute53StandIn, type Route53StandIn } from '../../support/route53-stand-in.js';
import { startSecretsManagerStandIn, STAND_IN_CREDENTIALS, type SecretsManagerStandIn } from '../../support/secrets-manager-stand-in.js';

const run = promisify(execFile);
const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// @ts-expect-error scripts/build.mjs is plain JavaScript without type declarations
const { bundle } = (await import('../../../scripts/build.mjs')) as { bundle: (entry: string, outdir: string) => Promise<unknown> };

const ZONE_ID = 'Z0123456789ACME';
const TLS_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Yubin/tls-certificate-AbCdEf';
const ACCOUNT_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:Yubin/acme-account-GhIjKl';
const NAMES = certificateNames('example.com', 'mail.example.com');
const pebbleBinary = findPebble();
const skip = pebbleBinary === null ? 'pebble is not installed (apt-get install -y pebble)' : false;

let workDir: string;
let handlerBundle: string;
let dns: LoopbackDns;
let route53: Route53StandIn;
let secrets: SecretsManagerStandIn;
let pebble: Pebble;

interface RenewalRun {
  readonly outcome: { renewed: boolean; reason: string | null; notAfter: string };
  readonly logLines: readonly string[];
}

/** One scheduled invocation: a cold Lambda container running the bundled handler once. */
async function invokeRenewal(): Promise<RenewalRun> {
  const script = 'const { handler } = await import(process.argv[1]); console.log(JSON.stringify({ outcome: await handler() }));';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, handlerBundle], {
    cwd: workDir,
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: pebble.trustFile,
      NODE_NO_WARNINGS: '1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
      YUBIN_ACME_DIRECTORY: pebble.directoryUrl,
      YUBIN_ACME_EMAIL: 'postmaster@example.com',
      YUBIN_ACME_NAMES: NAMES.join(','),
      YUBIN_ACME_HOSTED_ZONE_ID: ZONE_ID,
      YUBIN_ACME_ACCOUNT_SECRET_ARN: ACCOUNT_SECRET,
      YUBIN_TLS_SECRET_ARN: TLS_SECRET,
      YUBIN_ROUTE53_ENDPOINT: route53.endpoint,
      YUBIN_SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
    },
  });
  const lines = stdout.trim().split('\n');
  const last = JSON.parse(lines.at(-1) ?? '{}') as { outcome: RenewalRun['outcome'] };
  return { outcome: last.outcome, logLines: lines.slice(0, -1) };
}

const storedPair = (): { keyPem: string; certPem: string; acmeDirectoryUrl?: string } =>
  JSON.parse(secrets.secrets.get(TLS_SECRET) ?? '{}') as { keyPem: string; certPem: string; acmeDirectoryUrl?: string };

function splitChain(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/** Each certificate of the chain is signed by the next, and the last by pebble's root. */
async function assertIssuedByPebble(certPem: string): Promise<void> {
  const chain = splitChain(certPem);
  assert.ok(chain.length >= 2, 'the stored chain holds the leaf and its intermediate');
  const root = new X509Certificate(await pebble.rootCertificatePem());
  [...chain.slice(1), root].forEach((issuer, index) => {
    assert.ok(chain[index]!.verify(issuer.publicKey), `certificate ${index} is signed by the next one`);
  });
}

/**
 * No `_acme-challenge` record left in the Route 53 API's view when the run ends, nor in DNS answers
 * once the DELETE change is in sync (the function does not wait for that, as Route 53 does not need it).
 */
async function assertChallengeRecordsRemoved(): Promise<void> {
  assert.deepEqual([...route53.recordSets.keys()], []);
  const challengeNames = () => [...dns.zone.keys()].filter((name) => name.startsWith('_acme-challenge.'));
  await eventuallyTrue(async () => challengeNames().length === 0, `DNS to drop ${challengeNames().join(', ')}`);
}

/** A certificate for the four names, issued by nobody in particular, expiring in `days`. */
async function certificateExpiringIn(days: number): Promise<{ keyPem: string; certPem: string }> {
  const notBefore = new Date(Date.now() - 80 * 24 * 3600_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: NAMES[0]! }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(Date.now() + days * 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: NAMES.map((value) => ({ type: 2, value })) }],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}

describe('ACME renewal against pebble', { skip }, () => {
  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'yubin-acme-'));
    handlerBundle = path.join(workDir, 'bundle', 'main.mjs');
    await bundle(path.join(PROJECT_ROOT, 'lambdas/acme-renewal/handler.ts'), path.dirname(handlerBundle));
    dns = await startLoopbackDns(new Map());
    route53 = await startRoute53StandIn(ZONE_ID, dns.zone);
    secrets = await startSecretsManagerStandIn(
      new Map([
        [TLS_SECRET, '{}'],
        [ACCOUNT_SECRET, '{}'],
      ]),
    );
    pebble = await startPebble(pebbleBinary!, dns.server);
  });

  after(async () => {
    await pebble?.stop();
    await secrets?.close();
    await route53?.close();
    await dns?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('the first run creates the account and stores a certificate for the four names', async () => {
    const { outcome, logLines } = await invokeRenewal();
    assert.equal(outcome.renewed, true);
    assert.equal(outcome.reason, 'no certificate stored');

    const pair = storedPair();
    const leaf = new X509Certificate(pair.certPem);
    assert.deepEqual(leaf.subjectAltName?.split(', ').sort(), NAMES.map((name) => `DNS:${name}`).sort());
    assert.equal(new Date(leaf.validTo).toISOString(), outcome.notAfter);
    await assertIssuedByPebble(pair.certPem);
    assert.equal(pair.acmeDirectoryUrl, pebble.directoryUrl, 'the CA is remembered, so switching CA renews');
    assert.match(JSON.parse(secrets.secrets.get(ACCOUNT_SECRET)!).accountKeyPem as string, /BEGIN PRIVATE KEY/);

    // One UPSERT of the four records (then awaited once), one DELETE of the same four.
    const expected = NAMES.map((name) => `_acme-challenge.${name}`).sort();
    assert.equal(route53.changes.length, 2);
    assert.deepEqual(
      route53.changes[0]!.map(({ action, name }) => `${action} ${name}`).sort(),
      expected.map((name) => `UPSERT ${name}`),
    );
    assert.deepEqual(
      route53.changes[1]!.map(({ action, name }) => `${action} ${name}`).sort(),
      expected.map((name) => `DELETE ${name}`),
    );
    await assertChallengeRecordsRemoved();
    assert.ok(!logLines.some((line) => line.includes('PRIVATE KEY')), 'keys never reach the logs');

    // What the SMTP and IMAP services do every few minutes: read the secret and swap the context.
    const source = new SecretsManagerCertificateSource(secrets.client, TLS_SECRET, NAMES[0]!);
    assert.equal((await source.load()).certPem, pair.certPem);
    assert.equal(await new TlsContextProvider(source).refresh(), true);
  });

  test('the next day the certificate is still fresh: nothing is ordered, nothing changes', async () => {
    const before = { tls: secrets.secrets.get(TLS_SECRET), account: secrets.secrets.get(ACCOUNT_SECRET), changes: route53.changes.length };
    const { outcome } = await invokeRenewal();
    assert.equal(outcome.renewed, false);
    assert.equal(outcome.reason, null);
    assert.equal(secrets.secrets.get(TLS_SECRET), before.tls);
    assert.equal(secrets.secrets.get(ACCOUNT_SECRET), before.account);
    assert.equal(route53.changes.length, before.changes);
    const puts = secrets.requests.filter((request) => request.target === 'secretsmanager.PutSecretValue');
    assert.equal(puts.length, 2, 'only the first run wrote: the account key and the certificate');
  });

  test('a certificate with fewer than 30 days left is replaced, with the same ACME account', async () => {
    const expiring = await certificateExpiringIn(20);
    secrets.secrets.set(TLS_SECRET, JSON.stringify(expiring));
    const account = secrets.secrets.get(ACCOUNT_SECRET);
    const changesBefore = route53.changes.length;

    const { outcome } = await invokeRenewal();
    assert.equal(outcome.renewed, true);
    assert.equal(outcome.reason, 'expires soon');
    const pair = storedPair();
    assert.notEqual(pair.certPem, expiring.certPem);
    assert.notEqual(pair.keyPem, expiring.keyPem, 'a renewal brings a new key');
    await assertIssuedByPebble(pair.certPem);
    assert.ok(new Date(new X509Certificate(pair.certPem).validTo).getTime() > Date.now() + 30 * 24 * 3600_000);
    assert.equal(secrets.secrets.get(ACCOUNT_SECRET), account);
    assert.equal(route53.changes.length, changesBefore + 2);
    await assertChallengeRecordsRemoved();
  });
});
