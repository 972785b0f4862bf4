// The domain's mail records, written only when the admin names a Route 53 hosted zone (otherwise
// `yubin dns DOMAIN` prints them). DKIM: SES writes its own CNAMEs (egress.ts); for direct and
// smarthost egress the public key exists only after `yubin dkim generate`, so `yubin dns` prints it.
// The web names (mta-sts, autoconfig, autodiscover) are aliases of the NLB, whose 80/443 reach the
// mail access service; the `_mta-sts` id is the hash of the very policy that service serves.
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { mtaStsPolicyId, mtaStsPolicyText } from '../../core/autoconfig/mta-sts-policy.js';
import type { MtaStsMode } from '../../core/config/index.js';
import type { EgressMode } from './egress.js';

export interface MailDnsRecordsProps {
  readonly zone: route53.IPublicHostedZone;
  readonly domain: string;
  /** The host name clients and MX point at, e.g. `mail.example.com`. */
  readonly mailHost: string;
  /** The NLB's Elastic IPs. */
  readonly addresses: readonly ec2.CfnEIP[];
  /** The NLB itself: target of the web names' alias records. */
  readonly loadBalancer: elbv2.INetworkLoadBalancer;
  /** The mode of the served MTA-STS policy, hashed into the `_mta-sts` id (RFC 8461 §3.1). */
  readonly mtaStsMode: MtaStsMode;
  readonly egress: EgressMode;
  /** The NAT gateway's address (egress `direct`), authorised in SPF. */
  readonly egressAddress?: ec2.CfnEIP;
  /** Mailbox that receives DMARC (RFC 7489 §7.2) and TLS-RPT (RFC 8460 §3) reports. Default: postmaster@domain. */
  readonly reportAddress?: string;
  /** Default: 1 hour. */
  readonly ttl?: Duration;
}

/** RFC 6186 and RFC 8314 §5.1 service records: implicit TLS first, STARTTLS as fallback. */
const SERVICE_RECORDS: readonly { readonly service: string; readonly port: number; readonly priority: number }[] = [
  { service: '_submissions._tcp', port: 465, priority: 0 },
  { service: '_submission._tcp', port: 587, priority: 10 },
  { service: '_imaps._tcp', port: 993, priority: 0 },
  { service: '_imap._tcp', port: 143, priority: 10 },
  { service: '_pop3s._tcp', port: 995, priority: 0 },
  { service: '_pop3._tcp', port: 110, priority: 10 },
];

/** Host names the web endpoints answer on: MTA-STS policy (RFC 8461 §3.3), Thunderbird autoconfig, Outlook autodiscover. */
const WEB_NAMES = ['mta-sts', 'autoconfig', 'autodiscover'] as const;

/** SPF (RFC 7208): what may send for the domain under each egress mode. */
export function spfRecord(egress: EgressMode, egressAddress?: string): string {
  const senders = ['mx'];
  if (egress === 'ses') senders.push('include:amazonses.com');
  if (egress === 'direct' && egressAddress !== undefined) senders.push(`ip4:${egressAddress}`);
  return `v=spf1 ${senders.join(' ')} ~all`;
}

export class MailDnsRecords extends Construct {
  constructor(scope: Construct, id: string, props: MailDnsRecordsProps) {
    super(scope, id);
    const ttl = props.ttl ?? Duration.hours(1);
    const zone = props.zone;
    const reports = props.reportAddress ?? `postmaster@${props.domain}`;
    new route53.ARecord(this, 'MailHost', {
      zone,
      recordName: `${props.mailHost}.`,
      target: route53.RecordTarget.fromIpAddresses(...props.addresses.map((address) => address.attrPublicIp)),
      ttl,
    });
    new route53.MxRecord(this, 'Mx', {
      zone,
      recordName: `${props.domain}.`,
      values: [{ priority: 10, hostName: `${props.mailHost}.` }],
      ttl,
    });
    new route53.TxtRecord(this, 'Spf', {
      zone,
      recordName: `${props.domain}.`,
      values: [spfRecord(props.egress, props.egressAddress?.attrPublicIp)],
      ttl,
    });
    // RFC 7489 §6.3: start at quarantine; the admin tightens to reject once reports look clean.
    new route53.TxtRecord(this, 'Dmarc', {
      zone,
      recordName: `_dmarc.${props.domain}.`,
      values: [`v=DMARC1; p=quarantine; rua=mailto:${reports}`],
      ttl,
    });
    new route53.TxtRecord(this, 'TlsRpt', {
      zone,
      recordName: `_smtp._tls.${props.domain}.`,
      values: [`v=TLSRPTv1; rua=mailto:${reports}`],
      ttl,
    });
    const alias = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(props.loadBalancer));
    for (const name of WEB_NAMES) {
      new route53.ARecord(this, `Web-${name}`, { zone, recordName: `${name}.${props.domain}.`, target: alias });
    }
    // RFC 8461 §3.1: a new id tells senders to fetch the policy again; it changes exactly when the policy does.
    const policyId = mtaStsPolicyId(mtaStsPolicyText(props.mailHost, props.mtaStsMode));
    new route53.TxtRecord(this, 'MtaSts', { zone, recordName: `_mta-sts.${props.domain}.`, values: [`v=STSv1; id=${policyId}`], ttl });
    for (const record of SERVICE_RECORDS) {
      new route53.SrvRecord(this, `Srv${record.service}`, {
        zone,
        recordName: `${record.service}.${props.domain}.`,
        values: [{ priority: record.priority, weight: 1, port: record.port, hostName: `${props.mailHost}.` }],
        ttl,
      });
    }
  }
}
