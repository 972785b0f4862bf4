// How outbound mail leaves (design brief §3, §8). `ses` (the default): an SES domain identity with
// Easy DKIM, and permission to send as that identity only. `direct`: the network adds a NAT gateway
// with an Elastic IP (see network.ts); AWS must lift the port-25 block. `smarthost`: an SMTP relay
// whose credentials live in Secrets Manager (see mail-secrets.ts).
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export const EGRESS_MODES = ['ses', 'direct', 'smarthost'] as const;
export type EgressMode = (typeof EGRESS_MODES)[number];

export function isEgressMode(value: unknown): value is EgressMode {
  return typeof value === 'string' && (EGRESS_MODES as readonly string[]).includes(value);
}

export interface MailEgressProps {
  readonly mode: EgressMode;
  readonly domain: string;
  /** When given, SES writes its DKIM CNAME records into this zone. */
  readonly hostedZone?: route53.IPublicHostedZone;
}

export class MailEgress extends Construct {
  readonly mode: EgressMode;
  readonly sesIdentity?: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: MailEgressProps) {
    super(scope, id);
    this.mode = props.mode;
    if (props.mode === 'ses') {
      this.sesIdentity = new ses.EmailIdentity(this, 'Identity', {
        identity: props.hostedZone === undefined ? ses.Identity.domain(props.domain) : ses.Identity.publicHostedZone(props.hostedZone),
        dkimSigning: true,
      });
    }
  }

  /** The egress worker may send raw mail as the domain identity, and nothing else in SES. */
  grantSend(grantee: iam.IGrantable): void {
    this.sesIdentity?.grantSendEmail(grantee);
  }
}
