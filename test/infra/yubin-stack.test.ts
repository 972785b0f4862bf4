// The default deployment (egress ses, Route 53 zone given, ACME renewal on), synthesized once with
// cdk-nag and the CloudFormation schema check: what
// `cdk deploy -c domain=example.com -c hostedZoneId=… -c acmeEmail=…` creates.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { awsTableDesigns, tableName } from '../../core/adapters/aws/table-design.js';
import { mtaStsPolicyId, mtaStsPolicyText } from '../../core/autoconfig/mta-sts-policy.js';
import { loadEgressConfig } from '../../core/config/egress.js';
import { loadConfig } from '../../core/config/index.js';
import { STACK_OUTPUT_KEYS } from '../../core/config/stack-outputs.js';
import { actionsOf, PROJECT_ROOT, resourcesOf, statementsOfRole, synthesize, type Resource } from './support/synth.js';

let template: Template;
let validationFailure: string;

before(() => {
  const synthesis = synthesize(
    { Yubin: { domain: 'example.com', hostedZoneId: 'Z0123456789EXAMPLE', acme: { email: 'postmaster@example.com' } } },
    { schemaValidation: true },
  );
  template = synthesis.templates.get('Yubin') as Template;
  validationFailure = synthesis.validationFailure;
});

const properties = (resource: Resource): Record<string, unknown> => resource.Properties ?? {};
const attributes = (resource: Resource, key: string): Record<string, string> =>
  Object.fromEntries(
    ((properties(resource)[key] as { Key: string; Value: string }[] | undefined) ?? []).map(({ Key, Value }) => [Key, Value]),
  );

describe('validation', () => {
  test('cdk-nag AwsSolutions and the CloudFormation schema check report nothing unacknowledged', () => {
    assert.equal(validationFailure, '');
  });
});

describe('network', () => {
  test('two zones, no NAT gateway, gateway endpoints for S3 and DynamoDB, a rejected-traffic flow log', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet').map(([, subnet]) => properties(subnet));
    assert.equal(subnets.length, 2);
    for (const subnet of subnets) assert.equal(subnet.MapPublicIpOnLaunch, true);
    const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').map(([, endpoint]) => properties(endpoint));
    assert.deepEqual(
      endpoints.map((endpoint) => endpoint.VpcEndpointType ?? 'Gateway'),
      ['Gateway', 'Gateway'],
    );
    assert.match(JSON.stringify(endpoints), /\.s3"/u);
    assert.match(JSON.stringify(endpoints), /\.dynamodb"/u);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
  });
});

describe('storage', () => {
  test('the message bucket is encrypted, versioned, private, TLS-only and expires old versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]) },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('one table per storage design: same keys, indexes and TTL, on demand, PITR, protected, retained', () => {
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
    assert.equal(tables.length, awsTableDesigns.length);
    for (const design of awsTableDesigns) {
      const found = tables.find(([, table]) => properties(table).TableName === tableName('Yubin', design));
      assert.ok(found, `table ${design.suffix}`);
      const [, table] = found;
      const props = properties(table);
      assert.deepEqual(props.KeySchema, [
        { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: design.sortKey.name, KeyType: 'RANGE' },
      ]);
      assert.equal(props.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      assert.equal(props.DeletionProtectionEnabled, true);
      assert.deepEqual(props.SSESpecification, { SSEEnabled: true });
      assert.equal(table.DeletionPolicy, 'Retain');
      const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
      assert.deepEqual(ttl, design.timeToLiveAttribute === null ? undefined : { AttributeName: design.timeToLiveAttribute, Enabled: true });
      const indexes =
        (props.GlobalSecondaryIndexes as
          { IndexName: string; KeySchema: unknown; Projection: { NonKeyAttributes?: string[] } }[] | undefined) ?? [];
      assert.deepEqual(
        indexes.map((index) => index.IndexName),
        design.globalSecondaryIndexes.map((index) => index.indexName),
      );
      for (const index of design.globalSecondaryIndexes) {
        const rendered = indexes.find((candidate) => candidate.IndexName === index.indexName);
        assert.deepEqual(rendered?.KeySchema, [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ]);
        assert.deepEqual(rendered?.Projection.NonKeyAttributes ?? [], [...index.projectedAttributes]);
      }
    }
  });
});

describe('queues and delivery', () => {
  test('four encrypted queues; inbound and outbound each redrive to their own DLQ', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    assert.equal(queues.length, 4);
    for (const [, queue] of queues) assert.equal(properties(queue).SqsManagedSseEnabled, true);
    const redriven = queues.filter(([, queue]) => properties(queue).RedrivePolicy !== undefined);
    assert.equal(redriven.length, 2);
    const targets = redriven.map(([, queue]) =>
      JSON.stringify((properties(queue).RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn),
    );
    assert.equal(new Set(targets).size, 2, 'each queue has its own DLQ');
    for (const policy of resourcesOf(template, 'AWS::SQS::QueuePolicy')) {
      assert.match(JSON.stringify(properties(policy[1])), /"aws:SecureTransport":"false"/);
    }
  });

  test('the delivery function runs Node ≥ 22 and its queue hides a batch for at least 6× its timeout', () => {
    const [[, fn]] = resourcesOf(template, 'AWS::Lambda::Function') as [[string, Resource]];
    const runtime = properties(fn).Runtime as string;
    assert.ok(Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]) >= 22, runtime);
    const timeout = properties(fn).Timeout as number;
    const [[, mapping]] = resourcesOf(template, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    assert.deepEqual(properties(mapping).FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.equal(properties(mapping).BatchSize, 10);
    assert.equal((properties(mapping).ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency, 20);
    const sourceQueueId = (properties(mapping).EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const sourceQueue = template.toJSON().Resources[sourceQueueId] as Resource;
    assert.ok((properties(sourceQueue).VisibilityTimeout as number) >= 6 * timeout);
    assert.ok(properties(sourceQueue).RedrivePolicy, 'the consumed queue has a DLQ');
  });
});

describe('load balancer', () => {
  test('one internet-facing NLB with a security group, an Elastic IP per zone and cross-zone on', () => {
    const [[, nlb]] = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer') as [[string, Resource]];
    assert.equal(properties(nlb).Type, 'network');
    assert.equal(properties(nlb).Scheme, 'internet-facing');
    assert.equal((properties(nlb).SecurityGroups as unknown[]).length, 1);
    const mappings = properties(nlb).SubnetMappings as { AllocationId: { 'Fn::GetAtt': [string, string] } }[];
    assert.equal(mappings.length, 2);
    for (const mapping of mappings) assert.equal(template.toJSON().Resources[mapping.AllocationId['Fn::GetAtt'][0]].Type, 'AWS::EC2::EIP');
    assert.equal(attributes(nlb, 'LoadBalancerAttributes')['load_balancing.cross_zone.enabled'], 'true');
  });

  test('TCP listeners on the mail and web ports; idle timeout raised on IMAP and POP3 only', () => {
    const listeners = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, listener]) => listener);
    const ports = listeners.map((listener) => properties(listener).Port as number).sort((a, b) => a - b);
    assert.deepEqual(ports, [25, 80, 110, 143, 443, 465, 587, 993, 995]);
    for (const listener of listeners) {
      assert.equal(properties(listener).Protocol, 'TCP');
      const idle = attributes(listener, 'ListenerAttributes')['tcp.idle_timeout.seconds'];
      if ([143, 993, 110, 995].includes(properties(listener).Port as number))
        assert.ok(Number(idle) >= 1800, `port ${properties(listener).Port} idle ${idle}`);
      else assert.equal(idle, undefined);
    }
  });

  test('every target group speaks PROXY v2 to the container port the service listens on', () => {
    const config = loadConfig({});
    const expected: Record<number, number> = {
      25: config.ports.smtp,
      465: config.ports.submissions,
      587: config.ports.submission,
      143: config.ports.imap,
      993: config.ports.imaps,
      110: config.ports.pop3,
      995: config.ports.pop3s,
      80: config.autoconfigPort,
      443: config.httpsPort,
    };
    const resources = template.toJSON().Resources as Record<string, Resource>;
    for (const [, listener] of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')) {
      const groupId = (
        (properties(listener).DefaultActions as { TargetGroupArn: { Ref: string } }[])[0] as { TargetGroupArn: { Ref: string } }
      ).TargetGroupArn.Ref;
      const group = resources[groupId] as Resource;
      assert.equal(properties(group).Port, expected[properties(listener).Port as number]);
      assert.equal(properties(group).TargetType, 'ip');
      assert.equal(attributes(group, 'TargetGroupAttributes')['proxy_protocol_v2.enabled'], 'true');
      assert.equal(properties(group).HealthCheckProtocol, 'TCP');
      // Draining: the NLB stops sending new connections no longer than the task may take to finish (stopTimeout 120 s).
      assert.ok(Number(attributes(group, 'TargetGroupAttributes')['deregistration_delay.timeout_seconds']) <= 120);
    }
    const webGroups = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([, group]) =>
      [config.autoconfigPort, config.httpsPort].includes(properties(group).Port as number),
    );
    assert.equal(webGroups.length, 2, 'the web ports go to the mail access service');
    for (const [id] of webGroups) assert.match(id, /^LoadBalancerNlbListener(80|443)Targets/u);
  });

  test('tasks accept traffic only from the NLB security group, on their container ports', () => {
    const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => properties(rule));
    assert.equal(ingress.length, 9);
    for (const rule of ingress) {
      assert.match((rule.SourceSecurityGroupId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0], /^LoadBalancerSecurityGroup/);
      assert.equal(rule.CidrIp, undefined);
    }
  });
});

describe('services', () => {
  test('Fargate tasks drain for 120 s, check their health, run read-only on ARM64 and log with retention', () => {
    const tasks = resourcesOf(template, 'AWS::ECS::TaskDefinition').map(([, task]) => properties(task));
    assert.equal(tasks.length, 2);
    for (const task of tasks) {
      assert.deepEqual(task.RuntimePlatform, { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
      const [container] = task.ContainerDefinitions as Record<string, unknown>[];
      assert.equal(container?.StopTimeout, 120);
      assert.equal(container?.ReadonlyRootFilesystem, true);
      assert.match(JSON.stringify((container?.HealthCheck as { Command: string[] }).Command), /health-probe/);
    }
    for (const [, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) assert.ok((properties(group).RetentionInDays as number) > 0);
  });

  test('each service scales on CPU and on open sessions per task', () => {
    const policies = resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, policy]) => properties(policy));
    const cpu = policies.filter((policy) => JSON.stringify(policy).includes('ECSServiceAverageCPUUtilization'));
    const sessions = policies.filter((policy) => JSON.stringify(policy).includes('"MetricName":"ActiveConnections"'));
    assert.equal(cpu.length, 2);
    assert.equal(sessions.length, 2);
  });

  test('the services read their settings from the environment the stack gives them', () => {
    for (const [, task] of resourcesOf(template, 'AWS::ECS::TaskDefinition')) {
      const [container] = properties(task).ContainerDefinitions as {
        Environment: { Name: string; Value: unknown }[];
        PortMappings: { ContainerPort: number }[];
      }[];
      const env = Object.fromEntries(container!.Environment.map(({ Name, Value }) => [Name, typeof Value === 'string' ? Value : 'token']));
      const config = loadConfig(env);
      assert.equal(config.backend, 'aws');
      assert.equal(config.listenHost, '0.0.0.0');
      assert.equal(config.proxyProtocol, true);
      assert.equal(config.hostname, 'mail.example.com');
      assert.equal(config.aws.tablePrefix, 'Yubin');
      assert.equal(config.aws.bucket, 'token');
      assert.equal(config.aws.tlsSecretArn, 'token');
      // Only SMTP (its egress worker) learns where the DKIM keys are; its egress settings load.
      const smtp = container!.PortMappings.some((mapping) => mapping.ContainerPort === config.ports.smtp);
      assert.equal(config.aws.dkimSecretArn, smtp ? 'token' : undefined);
      if (smtp) assert.equal(loadEgressConfig(config, env).mode, 'ses');
      const listening = [...Object.values(config.ports), config.autoconfigPort, config.httpsPort];
      for (const mapping of container!.PortMappings) assert.ok(listening.includes(mapping.ContainerPort), `port ${mapping.ContainerPort}`);
    }
  });
});

describe('least privilege', () => {
  test('no statement grants "*" except the ECR token call, which cannot be scoped', () => {
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      for (const statement of (properties(policy).PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
        .Statement) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        if (resources.includes('*')) assert.deepEqual(statement.Action, 'ecr:GetAuthorizationToken');
        for (const action of [statement.Action].flat()) assert.doesNotMatch(action, /\*/, `wildcard action ${action}`);
      }
    }
  });

  test('SMTP spools and looks up but never deletes mail or writes the index; it sends only as the SES identity', () => {
    const statements = statementsOfRole(template, 'SmtpServiceTaskTaskRole');
    // Its one index write: failed-login counts, limited to the `attempts#` items (dynamodb:LeadingKeys).
    const counting = statements.filter((statement) => actionsOf([statement]).includes('dynamodb:UpdateItem'));
    assert.equal(counting.length, 1);
    assert.deepEqual((counting[0] as { Condition?: unknown }).Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['attempts#*'] } });
    assert.match(JSON.stringify(counting[0]!.Resource), /StorageTablemailboxes/);
    const actions = actionsOf(statements.filter((statement) => !counting.includes(statement)));
    for (const forbidden of [
      's3:DeleteObject',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]) {
      assert.ok(!actions.includes(forbidden), forbidden);
    }
    assert.ok(actions.includes('s3:PutObject'));
    const send = statements.find((statement) => actionsOf([statement]).includes('ses:SendRawEmail'));
    assert.match(JSON.stringify(send?.Resource), /:identity\/.*EgressIdentity/);
    const secrets = statements.filter((statement) => actionsOf([statement]).includes('secretsmanager:GetSecretValue'));
    assert.deepEqual(secrets.map((statement) => JSON.stringify(statement.Resource)).sort(), [
      JSON.stringify({
        Ref: Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('SecretsDkimKeys')),
      }),
      JSON.stringify({
        Ref: Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('SecretsTlsCertificate')),
      }),
    ]);
  });

  test('the mail access service touches storage and its certificate only: no queues, SES or DKIM keys', () => {
    const statements = statementsOfRole(template, 'MailAccessServiceTaskTaskRole');
    const actions = actionsOf(statements);
    assert.ok(!actions.some((action) => action.startsWith('sqs:') || action.startsWith('ses:')));
    assert.doesNotMatch(JSON.stringify(statements), /SecretsDkimKeys/);
    assert.ok(actions.includes('dynamodb:UpdateItem'));
  });

  test('the delivery function reads its queue and writes storage; no SES, and of secrets only the SRS key', () => {
    const statements = statementsOfRole(template, 'DeliveryFunctionServiceRole');
    const actions = actionsOf(statements);
    assert.ok(actions.includes('sqs:DeleteMessage'));
    assert.ok(actions.includes('dynamodb:PutItem'));
    assert.ok(!actions.some((action) => action.startsWith('ses:')));
    const secretStatements = statements.filter((statement) =>
      actionsOf([statement]).some((action) => action.startsWith('secretsmanager:')),
    );
    const [[srsKeyId]] = resourcesOf(template, 'AWS::SecretsManager::Secret').filter(([id]) => id.includes('SrsKey')) as [
      [string, unknown],
    ];
    assert.deepEqual(
      secretStatements.map((statement) => statement.Resource),
      [{ Ref: srsKeyId }],
    );
  });
});

describe('monitoring and DNS', () => {
  test('alarms on both DLQs, oldest job age, delivery and renewal errors and unhealthy targets, all notifying the topic', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => properties(alarm));
    const byMetric = (name: string): Record<string, unknown>[] => alarms.filter((alarm) => alarm.MetricName === name);
    assert.equal(byMetric('ApproximateNumberOfMessagesVisible').length, 2);
    assert.equal(byMetric('ApproximateAgeOfOldestMessage').length, 2);
    assert.equal(byMetric('Errors').length, 2, 'delivery and ACME renewal');
    assert.equal(byMetric('UnHealthyHostCount').length, 9);
    const [[topicId]] = resourcesOf(template, 'AWS::SNS::Topic') as [[string, Resource]];
    for (const alarm of alarms) assert.deepEqual(alarm.AlarmActions, [{ Ref: topicId }]);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('the dashboard shows queues and their age, delivery errors, service CPU, open sessions and healthy targets', () => {
    const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const body = JSON.stringify(properties(dashboard).DashboardBody);
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Errors',
      'CPUUtilization',
      'ActiveConnections',
      'HealthyHostCount',
    ]) {
      assert.match(body, new RegExp(`\\\\"${metric}\\\\"`, 'u'), metric);
    }
  });

  test('the zone gets MX, A, SPF, DMARC, TLS-RPT, SRV records and SES DKIM CNAMEs', () => {
    const records = resourcesOf(template, 'AWS::Route53::RecordSet').map(([, record]) => properties(record));
    const named = (type: string, name: string): Record<string, unknown> | undefined =>
      records.find((record) => record.Type === type && record.Name === name);
    assert.deepEqual(named('MX', 'example.com.')?.ResourceRecords, ['10 mail.example.com.']);
    assert.equal((named('A', 'mail.example.com.')?.ResourceRecords as unknown[]).length, 2);
    assert.deepEqual(named('TXT', 'example.com.')?.ResourceRecords, ['"v=spf1 mx include:amazonses.com ~all"']);
    assert.match(JSON.stringify(named('TXT', '_dmarc.example.com.')?.ResourceRecords), /v=DMARC1; p=quarantine/);
    assert.match(JSON.stringify(named('TXT', '_smtp._tls.example.com.')?.ResourceRecords), /v=TLSRPTv1/);
    assert.deepEqual(named('SRV', '_imaps._tcp.example.com.')?.ResourceRecords, ['0 1 993 mail.example.com.']);
    assert.deepEqual(named('SRV', '_submissions._tcp.example.com.')?.ResourceRecords, ['0 1 465 mail.example.com.']);
    assert.equal(records.filter((record) => record.Type === 'SRV').length, 6);
    assert.equal(records.filter((record) => record.Type === 'CNAME').length, 3, 'SES Easy DKIM');
  });

  test('mta-sts, autoconfig and autodiscover alias the NLB; _mta-sts carries the id of the served policy', () => {
    const records = resourcesOf(template, 'AWS::Route53::RecordSet').map(([, record]) => properties(record));
    const [[nlbId]] = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer') as [[string, Resource]];
    for (const name of ['mta-sts', 'autoconfig', 'autodiscover']) {
      const record = records.find((candidate) => candidate.Type === 'A' && candidate.Name === `${name}.example.com.`);
      assert.match(JSON.stringify(record?.AliasTarget), new RegExp(`"${nlbId}","DNSName"`, 'u'), name);
    }
    // The task's own configuration decides the policy it serves: hash that, as the service and `yubin dns` do.
    const [, task] = resourcesOf(template, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('MailAccessService'))!;
    const [container] = properties(task).ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    const config = loadConfig(Object.fromEntries(container!.Environment.map(({ Name, Value }) => [Name, String(Value)])));
    assert.equal(config.mtaStsMode, 'enforce');
    const policyId = mtaStsPolicyId(mtaStsPolicyText(config.hostname, config.mtaStsMode));
    const txt = records.find((record) => record.Type === 'TXT' && record.Name === '_mta-sts.example.com.');
    assert.deepEqual(txt?.ResourceRecords, [`"v=STSv1; id=${policyId}"`]);
  });

  test('the outputs name what `yubin` needs, under stable keys and without exports', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export?: unknown }>;
    for (const key of Object.values(STACK_OUTPUT_KEYS)) {
      assert.ok(outputs[key], key);
      assert.equal(outputs[key].Export, undefined, key);
    }
    assert.equal(outputs.TablePrefix!.Value, 'Yubin');
    assert.equal(outputs.MtaStsMode!.Value, 'enforce');
    assert.match(JSON.stringify(outputs.MessageBucket!.Value), /"Ref":"StorageMessages/u);
    assert.match(JSON.stringify(outputs.InboundQueueUrl!.Value), /"Ref":"QueuesInbound/u);
    assert.match(JSON.stringify(outputs.DkimKeysSecret!.Value), /"Ref":"SecretsDkimKeys/u);
  });
});

describe('ACME renewal', () => {
  const secretId = (prefix: string): string =>
    Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith(prefix)) ?? prefix;
  const acmeFunction = (): Record<string, unknown> =>
    properties(resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('AcmeRenewalFunction'))?.[1] ?? { Type: '' });

  test('a daily run of a Node 24 function that renews the four names from Let’s Encrypt staging by default', () => {
    const fn = acmeFunction();
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.equal(fn.Timeout, 600);
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.deepEqual(
      {
        directory: variables.YUBIN_ACME_DIRECTORY,
        names: variables.YUBIN_ACME_NAMES,
        zone: variables.YUBIN_ACME_HOSTED_ZONE_ID,
        tls: variables.YUBIN_TLS_SECRET_ARN,
        account: variables.YUBIN_ACME_ACCOUNT_SECRET_ARN,
      },
      {
        directory: 'staging',
        names: 'mail.example.com,mta-sts.example.com,autoconfig.example.com,autodiscover.example.com',
        zone: 'Z0123456789EXAMPLE',
        tls: { Ref: secretId('SecretsTlsCertificate') },
        account: { Ref: secretId('AcmeRenewalAccountKey') },
      },
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 1 } })],
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'Yubin/acme-account' });
  });

  test('its role writes only _acme-challenge TXT records in the zone, and reads and writes only its two secrets', () => {
    const statements = statementsOfRole(template, 'AcmeRenewalFunction');
    assert.deepEqual(actionsOf(statements).sort(), [
      'route53:ChangeResourceRecordSets',
      'route53:GetChange',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    const change = statements.find((statement) => statement.Action === 'route53:ChangeResourceRecordSets') as unknown as {
      Resource: unknown;
      Condition: unknown;
    };
    assert.match(JSON.stringify(change.Resource), /:route53:::hostedzone\/Z0123456789EXAMPLE/);
    assert.deepEqual(change.Condition, {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
          '_acme-challenge.mail.example.com',
          '_acme-challenge.mta-sts.example.com',
          '_acme-challenge.autoconfig.example.com',
          '_acme-challenge.autodiscover.example.com',
        ],
        'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
      },
    });
    const getChange = statements.find((statement) => statement.Action === 'route53:GetChange');
    assert.match(JSON.stringify(getChange?.Resource), /:route53:::change\/\*/);
    const secrets = statements.find((statement) => actionsOf([statement]).includes('secretsmanager:PutSecretValue'));
    assert.deepEqual(secrets?.Resource, [{ Ref: secretId('SecretsTlsCertificate') }, { Ref: secretId('AcmeRenewalAccountKey') }]);
  });

  test('no other role may write the certificate the services trust', () => {
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      const roles = JSON.stringify(properties(policy).Roles);
      if (roles.includes('AcmeRenewalFunction')) continue;
      assert.doesNotMatch(
        JSON.stringify(properties(policy).PolicyDocument),
        /secretsmanager:PutSecretValue|route53:ChangeResourceRecordSets/,
        roles,
      );
    }
  });
});

describe('snapshot', () => {
  // Pins the whole template so any change is reviewed; asset hashes (bundle contents) are masked.
  // After an intended change: YUBIN_UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs test/infra/yubin-stack
  test('the template matches test/infra/snapshots/yubin-stack.template.json', () => {
    const file = path.join(PROJECT_ROOT, 'test/infra/snapshots/yubin-stack.template.json');
    const current = `${JSON.stringify(template.toJSON(), null, 2).replace(/[0-9a-f]{64}/g, '<asset-hash>')}\n`;
    if (process.env.YUBIN_UPDATE_SNAPSHOTS === '1') writeFileSync(file, current);
    assert.ok(existsSync(file), 'no snapshot yet: run with YUBIN_UPDATE_SNAPSHOTS=1 and review it');
    // Compared as data, so reformatting the file (prettier) changes nothing.
    assert.deepEqual(JSON.parse(current), JSON.parse(readFileSync(file, 'utf8')));
  });
});
