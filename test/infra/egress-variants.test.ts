// The non-default egress modes, synthesized together once (cdk-nag on; the schema check already runs
// on the default stack): `direct` brings a NAT gateway with an Elastic IP and private task subnets;
// `smarthost` brings a credentials secret (and, here, SMTP policy settings); neither has SES. Neither
// names a hosted zone.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import { loadEgressConfig } from '../../core/config/egress.js';
import { loadConfig } from '../../core/config/index.js';
import { actionsOf, resourcesOf, statementsOfRole, synthesize } from './support/synth.js';

let direct: Template;
let smarthost: Template;
let validationFailure: string;

before(() => {
  const synthesis = synthesize(
    {
      Direct: { domain: 'example.org', egress: 'direct', availabilityZones: ['eu-west-1a', 'eu-west-1b'], minTasks: 2 },
      // The SMTP policy settings ride along here, so the default stack's snapshot shows their absence.
      Smarthost: {
        domain: 'example.net',
        egress: 'smarthost',
        smtpPolicy: { dnsblZones: ['zen.spamhaus.org', 'bl.example.net'], messagesPerMinutePerIp: 120 },
      },
    },
    { schemaValidation: false },
  );
  direct = synthesis.templates.get('Direct') as Template;
  smarthost = synthesis.templates.get('Smarthost') as Template;
  validationFailure = synthesis.validationFailure;
});

describe('egress direct', () => {
  test('cdk-nag reports nothing unacknowledged for either variant', () => {
    assert.equal(validationFailure, '');
  });

  test('one NAT gateway holding its own Elastic IP, published as the egress address', () => {
    const nats = resourcesOf(direct, 'AWS::EC2::NatGateway');
    assert.equal(nats.length, 1);
    const eipId = (nats[0]?.[1].Properties?.AllocationId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    assert.match(eipId, /^NetworkEgressAddress/);
    assert.deepEqual(direct.toJSON().Outputs.EgressAddress.Value, { 'Fn::GetAtt': [eipId, 'PublicIp'] });
    // Two for the NLB, one for the NAT gateway.
    direct.resourceCountIs('AWS::EC2::EIP', 3);
  });

  test('tasks run in private subnets without public IPs, in the pinned zones, two per service', () => {
    for (const [, service] of resourcesOf(direct, 'AWS::ECS::Service')) {
      const network = (
        service.Properties?.NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string; Subnets: { Ref: string }[] } }
      ).AwsvpcConfiguration;
      assert.equal(network.AssignPublicIp, 'DISABLED');
      for (const subnet of network.Subnets) assert.match(subnet.Ref, /tasksSubnet/);
      assert.equal(service.Properties?.DesiredCount, 2);
    }
    const zones = resourcesOf(direct, 'AWS::EC2::Subnet').map(([, subnet]) => subnet.Properties?.AvailabilityZone);
    assert.deepEqual([...new Set(zones)].sort(), ['eu-west-1a', 'eu-west-1b']);
  });

  test('no SES identity, no SES permission, no DNS records without a zone', () => {
    direct.resourceCountIs('AWS::SES::EmailIdentity', 0);
    direct.resourceCountIs('AWS::Route53::RecordSet', 0);
    assert.ok(!actionsOf(statementsOfRole(direct, 'SmtpServiceTaskTaskRole')).some((action) => action.startsWith('ses:')));
  });
});

describe('egress smarthost', () => {
  test('tasks sit in public subnets with public IPs and no NAT gateway', () => {
    smarthost.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, service] of resourcesOf(smarthost, 'AWS::ECS::Service')) {
      assert.equal(
        (service.Properties?.NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string } }).AwsvpcConfiguration
          .AssignPublicIp,
        'ENABLED',
      );
    }
  });

  test('the relay credentials secret is readable by the SMTP service alone', () => {
    const secretId = Object.keys(smarthost.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('SecretsSmarthost'));
    assert.ok(secretId);
    const readers = resourcesOf(smarthost, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy).includes(`"Ref":"${secretId}"`))
      .flatMap(([, policy]) => (policy.Properties?.Roles as { Ref: string }[]).map((role) => role.Ref));
    assert.equal(readers.length, 1);
    assert.match(readers[0] as string, /^SmtpServiceTaskTaskRole/);
    const [smtpTask] = resourcesOf(smarthost, 'AWS::ECS::TaskDefinition').filter(([id]) => id.startsWith('SmtpService'));
    assert.match(JSON.stringify(smtpTask), /"Name":"YUBIN_EGRESS","Value":"smarthost"/);
    assert.match(JSON.stringify(smtpTask), /YUBIN_SMARTHOST_SECRET_ARN/);
    // The stack sets no YUBIN_SMARTHOST: the relay's host and login come from the secret at run time.
    const [container] = smtpTask![1].Properties?.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    const env = Object.fromEntries(container!.Environment.map(({ Name, Value }) => [Name, typeof Value === 'string' ? Value : 'token']));
    const config = loadConfig(env);
    assert.equal(config.aws.smarthostSecretArn, 'token');
    assert.equal(loadEgressConfig(config, env).mode, 'smarthost');
  });

  test('SMTP policy props become container env of the SMTP service only, unset ones stay absent', () => {
    const tasks = resourcesOf(smarthost, 'AWS::ECS::TaskDefinition');
    const smtpTask = JSON.stringify(tasks.find(([id]) => id.startsWith('SmtpService')));
    assert.match(smtpTask, /"Name":"YUBIN_DNSBL_ZONES","Value":"zen\.spamhaus\.org,bl\.example\.net"/);
    assert.match(smtpTask, /"Name":"YUBIN_SMTP_MESSAGE_RATE","Value":"120"/);
    assert.doesNotMatch(smtpTask, /YUBIN_SMTP_CONNECTION_RATE|YUBIN_SMTP_MAX_CONNECTIONS_PER_IP/);
    const accessTask = JSON.stringify(tasks.find(([id]) => id.startsWith('MailAccessService')));
    assert.doesNotMatch(accessTask, /YUBIN_DNSBL_ZONES/);
  });
});
