// `yubin` on AWS finds its resources from the stack's outputs: a loopback CloudFormation stand-in
// (DescribeStacks) names the tables, bucket and queues of backends on the shared emulators
// (DynamoDB Local, fauxqs). The CLI child gets only what an admin sets: credentials, region, the
// stack name (or nothing: the default), and here the emulator endpoints.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AwsConfig } from '../../../core/config/index.js';
import { STACK_OUTPUT_KEYS } from '../../../core/config/stack-outputs.js';
import { leaseAwsEmulators } from '../../support/aws-emulators.js';
import { startCloudFormationStandIn, type CloudFormationStandIn } from '../../support/cloudformation-stand-in.js';
import { emulatorEnv, removeCliBundle, runYubin } from './cli-harness.js';

let lease: Awaited<ReturnType<typeof leaseAwsEmulators>>;
let production: AwsConfig;
let staging: AwsConfig;
let cloudFormation: CloudFormationStandIn;
let env: Record<string, string>;
const yubin = (args: string[], extraEnv: Record<string, string> = {}, stdin?: string) =>
  runYubin(args, { env: { ...env, ...extraEnv }, ...(stdin === undefined ? {} : { stdin }) });

const outputsOf = (backend: AwsConfig, mailHost: string, mtaStsMode: string): Record<string, string> => ({
  [STACK_OUTPUT_KEYS.tablePrefix]: backend.tablePrefix,
  [STACK_OUTPUT_KEYS.bucket]: backend.bucket,
  [STACK_OUTPUT_KEYS.inboundQueueUrl]: backend.inboundQueueUrl,
  [STACK_OUTPUT_KEYS.outboundQueueUrl]: backend.outboundQueueUrl,
  [STACK_OUTPUT_KEYS.hostname]: mailHost,
  [STACK_OUTPUT_KEYS.mtaStsMode]: mtaStsMode,
  [STACK_OUTPUT_KEYS.dkimSecretArn]: backend.dkimSecretArn!,
});

before(async () => {
  lease = await leaseAwsEmulators();
  [production, staging] = await Promise.all([lease.emulators.createBackend(), lease.emulators.createBackend()]);
  cloudFormation = await startCloudFormationStandIn();
  cloudFormation.stacks.set('Yubin', outputsOf(production, 'mail.example.test', 'testing'));
  cloudFormation.stacks.set('YubinStaging', outputsOf(staging, 'mail.staging.example.test', 'enforce'));
  // The DKIM secret, like the tables, is found through the stack.
  const { YUBIN_DKIM_SECRET_ARN: _fromStack, ...endpoints } = emulatorEnv(production);
  env = { ...endpoints, YUBIN_CLOUDFORMATION_ENDPOINT: cloudFormation.endpoint };
});
after(async () => {
  await removeCliBundle();
  await cloudFormation.close();
  await lease.release();
});

test('domain add, user add and user list against the stack found by its default name', async () => {
  const domain = await yubin(['domain', 'add', 'example.test']);
  assert.equal(domain.code, 0, domain.stderr);
  const user = await yubin(['user', 'add', 'alice@example.test', '--password-stdin'], {}, 'correct horse battery\n');
  assert.equal(user.code, 0, user.stderr);
  const list = await yubin(['user', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^alice@example\.test\tactive\t/mu);
  assert.ok(cloudFormation.requests.length >= 3 && cloudFormation.requests.every((action) => action === 'DescribeStacks'));

  // The mail host and MTA-STS mode come from the stack too: `yubin dns` describes the deployed policy.
  const dns = await yubin(['dns', 'example.test']);
  assert.equal(dns.code, 0, dns.stderr);
  assert.match(dns.stdout, /^example\.test\.\t3600\tIN\tMX\t10 mail\.example\.test\.$/mu);
  assert.match(dns.stdout, /^;\s+mode: testing$/mu);

  // The DKIM key goes into the secret the stack names.
  assert.equal((await yubin(['dkim', 'generate', 'example.test', '--selector', 's1'])).code, 0);
  const secret = JSON.parse(lease.emulators.secretsManager.secrets.get(production.dkimSecretArn!)!) as Record<string, { selector: string }>;
  assert.equal(secret['example.test']?.selector, 's1');
});

test('--stack and YUBIN_STACK_NAME pick another stack; variables still override its outputs', async () => {
  assert.doesNotMatch((await yubin(['user', 'list', '--stack', 'YubinStaging'])).stdout, /alice@example\.test/u);
  assert.equal((await yubin(['--stack=YubinStaging', 'domain', 'add', 'staging.example.test'])).code, 0);
  const staged = await yubin(['domain', 'list'], { YUBIN_STACK_NAME: 'YubinStaging' });
  assert.match(staged.stdout, /staging\.example\.test/u);
  assert.doesNotMatch(staged.stdout, /^example\.test/mu);

  // The production stack, but the staging tables named in the environment.
  const overridden = await yubin(['domain', 'list'], { YUBIN_TABLE_PREFIX: staging.tablePrefix });
  assert.match(overridden.stdout, /staging\.example\.test/u);
});

test('a stack that does not exist is a clear error naming what to set (exit 3)', async () => {
  const missing = await yubin(['user', 'list', '--stack', 'Nowhere']);
  assert.equal(missing.code, 3);
  assert.match(
    missing.stderr,
    /^yubin: cannot read the outputs of stack Nowhere \(stack Nowhere not found in us-east-1\); name the stack with --stack NAME/mu,
  );
  const help = await yubin(['help'], { YUBIN_STACK_NAME: 'Nowhere' });
  assert.equal(help.code, 0, 'help never touches AWS');
});
