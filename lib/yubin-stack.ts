// The whole deployment. This file only wires constructs (one per concern, in lib/constructs/); each
// service construct states its own grants, the least it needs (STYLE.md habit 7), and
// test/infra/yubin-stack.test.ts pins them.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { AcmeRenewal, type AcmeDirectory } from './constructs/acme-renewal.js';
import { DEFAULT_DELIVERY_TIMEOUT, DeliveryFunction } from './constructs/delivery-function.js';
import { MailDnsRecords } from './constructs/dns-records.js';
import { MailEgress, type EgressMode } from './constructs/egress.js';
import { MailLoadBalancer } from './constructs/load-balancer.js';
import { MailAccessService } from './constructs/mail-access-service.js';
import { MailSecrets } from './constructs/mail-secrets.js';
import { MailMonitoring } from './constructs/monitoring.js';
import { MailNetwork } from './constructs/network.js';
import { JobQueues } from './constructs/queues.js';
import { SmtpService, type SmtpPolicyProps } from './constructs/smtp-service.js';
import { MailStorage } from './constructs/storage.js';
import type { TableDesign } from '../core/adapters/aws/table-design.js';
import { certificateNames } from '../core/acme/renewal-policy.js';
import type { MtaStsMode } from '../core/config/index.js';
import { STACK_OUTPUT_KEYS } from '../core/config/stack-outputs.js';

export interface YubinStackProps extends StackProps {
  /** The mail domain, e.g. `example.com`. */
  readonly domain: string;
  /** Host name of the servers. Default: `mail.${domain}`. */
  readonly mailHost?: string;
  /** Default: `ses`. */
  readonly egress?: EgressMode;
  /** Mode of the MTA-STS policy served on mta-sts.DOMAIN (RFC 8461 §5). Default: `enforce`. */
  readonly mtaStsMode?: MtaStsMode;
  /** Route 53 public zone of the domain: when given, the stack writes the mail records. */
  readonly hostedZoneId?: string;
  /** Pin the zones so synthesis needs no lookup. Default: the region's first two. */
  readonly availabilityZones?: readonly string[];
  readonly tableDesigns: readonly TableDesign[];
  /** Prefix of table and secret names. Default: the stack name. */
  readonly resourcePrefix?: string;
  /** An existing Secrets Manager secret holding `{"keyPem","certPem"}`. Default: create an empty one. */
  readonly tlsCertificateSecretArn?: string;
  readonly alarmEmail?: string;
  /** Minimum tasks per service. Default: 1. */
  readonly minTasks?: number;
  /** Default: 3 months. */
  readonly logRetention?: logs.RetentionDays;
  /** Default: true. */
  readonly tableDeletionProtection?: boolean;
  /** DNSBL zones, rate and connection limits of the SMTP service. Default: core/config's. */
  readonly smtpPolicy?: SmtpPolicyProps;
  /** Project root: the Docker build context and the place of the Lambda sources. */
  readonly projectRoot: string;
  /** Default: `${projectRoot}/lambdas/delivery/handler.ts`. */
  readonly deliveryHandlerEntry?: string;
  /** Renew the certificate from an ACME CA (needs hostedZoneId). Default: off. */
  readonly acme?: { readonly email: string; readonly directory?: AcmeDirectory };
  /** Default: `${projectRoot}/lambdas/acme-renewal/handler.ts`. */
  readonly acmeRenewalHandlerEntry?: string;
}

/** IMAP autologout is at least 30 minutes (RFC 9051 §5.4), and IDLE clients re-issue every 29. */
const IDLE_SESSION_TIMEOUT = Duration.minutes(60);

export class YubinStack extends Stack {
  constructor(scope: Construct, id: string, props: YubinStackProps) {
    super(scope, id, props);
    const egressMode = props.egress ?? 'ses';
    const mtaStsMode = props.mtaStsMode ?? 'enforce';
    const mailHost = props.mailHost ?? `mail.${props.domain}`;
    const prefix = props.resourcePrefix ?? this.stackName;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const zone =
      props.hostedZoneId === undefined
        ? undefined
        : route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: props.hostedZoneId,
            zoneName: props.domain,
          });

    const network = new MailNetwork(this, 'Network', {
      natGateway: egressMode === 'direct',
      logRetention,
      ...(props.availabilityZones === undefined ? {} : { availabilityZones: props.availabilityZones }),
    });
    const storage = new MailStorage(this, 'Storage', {
      tableDesigns: props.tableDesigns,
      tablePrefix: prefix,
      ...(props.tableDeletionProtection === undefined ? {} : { deletionProtection: props.tableDeletionProtection }),
    });
    const queues = new JobQueues(this, 'Queues', { inboundConsumerTimeout: DEFAULT_DELIVERY_TIMEOUT });
    const secrets = new MailSecrets(this, 'Secrets', {
      namePrefix: prefix,
      smarthost: egressMode === 'smarthost',
      ...(props.tlsCertificateSecretArn === undefined ? {} : { tlsCertificateSecretArn: props.tlsCertificateSecretArn }),
    });
    const egress = new MailEgress(this, 'Egress', {
      mode: egressMode,
      domain: props.domain,
      ...(zone === undefined ? {} : { hostedZone: zone }),
    });

    const storageEnvironment = {
      YUBIN_BACKEND: 'aws',
      YUBIN_HOSTNAME: mailHost,
      YUBIN_TABLE_PREFIX: prefix,
      YUBIN_BUCKET: storage.bucket.bucketName,
      YUBIN_INBOUND_QUEUE_URL: queues.inbound.queueUrl,
      YUBIN_OUTBOUND_QUEUE_URL: queues.outbound.queueUrl,
    };
    const delivery = new DeliveryFunction(this, 'Delivery', {
      entry: props.deliveryHandlerEntry ?? `${props.projectRoot}/lambdas/delivery/handler.ts`,
      tsconfig: `${props.projectRoot}/tsconfig.json`,
      inboundQueue: queues.inbound,
      timeout: DEFAULT_DELIVERY_TIMEOUT,
      environment: { ...storageEnvironment, YUBIN_SRS_SECRET_ARN: secrets.srsKey.secretArn },
      logRetention,
    });
    storage.grantReadWrite(delivery.function);
    secrets.grantReadSrsKey(delivery.function);
    // Forwarding and DSNs (RFC 3464) leave through the outbound queue or loop back to local users.
    queues.outbound.grantSendMessages(delivery.function);
    queues.inbound.grantSendMessages(delivery.function);

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc: network.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const common = {
      cluster,
      projectRoot: props.projectRoot,
      subnets: network.taskSubnets,
      assignPublicIp: network.tasksNeedPublicIp,
      logRetention,
      ...(props.minTasks === undefined ? {} : { minTasks: props.minTasks }),
      environment: {
        ...storageEnvironment,
        YUBIN_LISTEN_HOST: '0.0.0.0',
        // The root filesystem is read-only; /tmp is the task's scratch volume (self-signed fallback cert).
        YUBIN_DATA_DIR: '/tmp/yubin',
        YUBIN_PROXY_PROTOCOL: '1',
        YUBIN_TLS_SECRET_ARN: secrets.tlsCertificate.secretArn,
      },
    };
    const smtpPolicy = props.smtpPolicy ? { policy: props.smtpPolicy } : {};
    const smtp = new SmtpService(this, 'SmtpService', { ...common, storage, queues, secrets, egress, ...smtpPolicy });
    const mailAccess = new MailAccessService(this, 'MailAccessService', { ...common, storage, secrets, mtaStsMode });

    const loadBalancer = new MailLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      routes: [
        { port: 25, service: smtp, portName: 'smtp' },
        { port: 465, service: smtp, portName: 'submissions' },
        { port: 587, service: smtp, portName: 'submission' },
        { port: 143, service: mailAccess, portName: 'imap', idleTimeout: IDLE_SESSION_TIMEOUT },
        { port: 993, service: mailAccess, portName: 'imaps', idleTimeout: IDLE_SESSION_TIMEOUT },
        { port: 110, service: mailAccess, portName: 'pop3', idleTimeout: IDLE_SESSION_TIMEOUT },
        { port: 995, service: mailAccess, portName: 'pop3s', idleTimeout: IDLE_SESSION_TIMEOUT },
        // Client autoconfig (HTTP for Thunderbird, redirects for the rest) and the MTA-STS policy (HTTPS).
        { port: 80, service: mailAccess, portName: 'http' },
        { port: 443, service: mailAccess, portName: 'https' },
      ],
    });

    if (zone !== undefined) {
      new MailDnsRecords(this, 'Dns', {
        zone,
        domain: props.domain,
        mailHost,
        addresses: loadBalancer.addresses,
        loadBalancer: loadBalancer.loadBalancer,
        mtaStsMode,
        egress: egressMode,
        ...(network.egressAddress === undefined ? {} : { egressAddress: network.egressAddress }),
      });
    }

    const monitoring = new MailMonitoring(this, 'Monitoring', {
      queues: [
        { name: 'Inbound', queue: queues.inbound, deadLetterQueue: queues.inboundDeadLetter, maxAge: Duration.minutes(15) },
        // Outbound jobs wait on purpose between retries; an hour-old job means the worker is down.
        { name: 'Outbound', queue: queues.outbound, deadLetterQueue: queues.outboundDeadLetter, maxAge: Duration.hours(1) },
      ],
      deliveryFunction: delivery.function,
      targetGroups: loadBalancer.targets.map(({ port, targetGroup }) => ({ name: `Port${port}`, targetGroup })),
      services: [smtp, mailAccess],
      ...(props.alarmEmail === undefined ? {} : { alarmEmail: props.alarmEmail }),
    });

    if (props.acme !== undefined) {
      if (zone === undefined) throw new Error('ACME renewal needs hostedZoneId: DNS-01 writes TXT records there');
      if (mailHost !== props.domain && !mailHost.endsWith(`.${props.domain}`))
        throw new Error(`ACME renewal needs mailHost inside ${props.domain}, the hosted zone`);
      new AcmeRenewal(this, 'AcmeRenewal', {
        entry: props.acmeRenewalHandlerEntry ?? `${props.projectRoot}/lambdas/acme-renewal/handler.ts`,
        tsconfig: `${props.projectRoot}/tsconfig.json`,
        hostedZone: zone,
        names: certificateNames(props.domain, mailHost),
        email: props.acme.email,
        ...(props.acme.directory === undefined ? {} : { directory: props.acme.directory }),
        certificateSecret: secrets.tlsCertificate,
        namePrefix: prefix,
        logRetention,
        alarmTopic: monitoring.alarmTopic,
      });
    }

    // What `yubin` reads from DescribeStacks (core/config/stack-outputs.ts): stable keys, no exports.
    const outputs: Record<keyof typeof STACK_OUTPUT_KEYS, { value: string; description: string }> = {
      hostname: { value: mailHost, description: 'Server name for mail clients and the MX record' },
      tablePrefix: { value: prefix, description: 'Prefix of the DynamoDB table names (YUBIN_TABLE_PREFIX)' },
      bucket: { value: storage.bucket.bucketName, description: 'S3 bucket of raw messages (YUBIN_BUCKET)' },
      inboundQueueUrl: { value: queues.inbound.queueUrl, description: 'Delivery jobs (YUBIN_INBOUND_QUEUE_URL)' },
      outboundQueueUrl: { value: queues.outbound.queueUrl, description: 'Egress jobs (YUBIN_OUTBOUND_QUEUE_URL)' },
      mtaStsMode: { value: mtaStsMode, description: 'Mode of the served MTA-STS policy (YUBIN_MTA_STS_MODE)' },
      dkimSecretArn: { value: secrets.dkimKeys.secretArn, description: 'DKIM private keys per domain (YUBIN_DKIM_SECRET_ARN)' },
    };
    for (const [setting, output] of Object.entries(outputs)) {
      new CfnOutput(this, STACK_OUTPUT_KEYS[setting as keyof typeof STACK_OUTPUT_KEYS], output);
    }
    loadBalancer.addresses.forEach((address, index) => {
      new CfnOutput(this, `MailAddress${index + 1}`, { value: address.attrPublicIp, description: `A record of ${mailHost}` });
    });
    if (network.egressAddress !== undefined) {
      new CfnOutput(this, 'EgressAddress', {
        value: network.egressAddress.attrPublicIp,
        description: 'Outbound SMTP source address: ask AWS for its PTR record and the port-25 unblock',
      });
    }
    new CfnOutput(this, 'TlsCertificateSecret', { value: secrets.tlsCertificate.secretArn });
    new CfnOutput(this, 'AlarmTopic', { value: monitoring.alarmTopic.topicArn, description: 'Subscribe to receive alarms' });
    new CfnOutput(this, 'Dashboard', { value: monitoring.dashboard.dashboardName });
  }
}
