// ACME (Let's Encrypt) renewal of the TLS certificate with DNS-01 through Route 53, enabled by the
// `acmeEmail` context key: a bundled Lambda run once a day by EventBridge, its own secret for the ACME
// account key, and an alarm on failed runs. Its role may touch nothing but the `_acme-challenge` TXT
// records of the hosted zone, its changes, and the two secrets (lambdas/acme-renewal/handler.ts).
import { Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { challengeRecordName } from '../../core/acme/ports.js';
import { createBundledFunction } from './bundled-function.js';

/** `staging` issues untrusted certificates without production rate limits: deploy with it first. */
export type AcmeDirectory = 'staging' | 'production';

export interface AcmeRenewalProps {
  /** The handler source, `lambdas/acme-renewal/handler.ts`. */
  readonly entry: string;
  readonly tsconfig: string;
  /** The zone that holds every name (DNS-01 records are written there). */
  readonly hostedZone: route53.IHostedZone;
  /** Names of the certificate; the first is its common name. */
  readonly names: readonly string[];
  /** ACME account contact: Let's Encrypt writes there about expiry and policy changes. */
  readonly email: string;
  /** Default: staging. */
  readonly directory?: AcmeDirectory;
  /** The TLS secret the services poll (`{"keyPem","certPem"}`), written on renewal. */
  readonly certificateSecret: secretsmanager.ISecret;
  /** The account key secret is named `${namePrefix}/acme-account`. */
  readonly namePrefix: string;
  readonly logRetention: logs.RetentionDays;
  /** Failed runs notify this topic. */
  readonly alarmTopic: sns.ITopic;
  /** Default: once a day (a certificate is renewed 30 days before expiry, so a failed day costs nothing). */
  readonly schedule?: events.Schedule;
}

/**
 * Long enough for Route 53 to report INSYNC (usually under a minute) and for the CA to validate four
 * names with acme-client's backoff (up to ten polls of 5–30 s); the function idles while it waits.
 */
const RENEWAL_TIMEOUT = Duration.minutes(10);

export class AcmeRenewal extends Construct {
  readonly function: nodejs.NodejsFunction;
  /** `{"accountKeyPem": "..."}`; `{}` until the first run registers the account. */
  readonly accountSecret: secretsmanager.Secret;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AcmeRenewalProps) {
    super(scope, id);
    this.accountSecret = new secretsmanager.Secret(this, 'AccountKey', {
      secretName: `${props.namePrefix}/acme-account`,
      description: 'Yubin ACME account private key (JSON accountKeyPem), written by the renewal function on its first run',
      // An empty object, not a secret: the function generates the key.
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    Validations.of(this.accountSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The ACME account key identifies the account at the CA (RFC 8555 §7.3); replacing it is an ACME key roll-over, not a Secrets Manager rotation.',
    });

    this.function = createBundledFunction(this, {
      entry: props.entry,
      tsconfig: props.tsconfig,
      // Key generation and signing only; the runs are short and rare.
      memorySize: 256,
      timeout: RENEWAL_TIMEOUT,
      description: 'Yubin: renews the mail TLS certificate with ACME DNS-01 in Route 53',
      logRetention: props.logRetention,
      environment: {
        YUBIN_ACME_DIRECTORY: props.directory ?? 'staging',
        YUBIN_ACME_EMAIL: props.email,
        YUBIN_ACME_NAMES: props.names.join(','),
        YUBIN_ACME_HOSTED_ZONE_ID: props.hostedZone.hostedZoneId,
        YUBIN_ACME_ACCOUNT_SECRET_ARN: this.accountSecret.secretArn,
        YUBIN_TLS_SECRET_ARN: props.certificateSecret.secretArn,
      },
    });
    this.grantRenewal(props);

    new events.Rule(this, 'Schedule', {
      description: 'Daily ACME certificate check and renewal',
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
      // One retry covers a passing failure; the next day's run is the real retry.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 1 })],
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription:
        'The ACME renewal failed: the certificate is not renewed (see the function logs; fix DNS, the hosted zone or the CA rate limit before expiry).',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new actions.SnsAction(props.alarmTopic);
    this.errorsAlarm.addAlarmAction(notify);
    this.errorsAlarm.addOkAction(notify);
  }

  private grantRenewal(props: AcmeRenewalProps): void {
    const role = this.function;
    // Route 53 condition keys (Developer Guide, "Using IAM policy conditions"): lower-case names
    // without the final dot; ForAllValues so that every record of a change batch must match.
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['route53:ChangeResourceRecordSets'],
      resourceArns: [props.hostedZone.hostedZoneArn],
      conditions: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': props.names.map(challengeRecordName),
          'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
        },
      },
    });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['route53:GetChange'],
      resourceArns: [Stack.of(this).formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' })],
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
      reason: 'GetChange on the changes the function itself submits: Route 53 assigns change ids per request.',
    });
    // Exactly the two calls of lambdas/acme-renewal, not grantRead/grantWrite's extra actions.
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resourceArns: [props.certificateSecret.secretArn, this.accountSecret.secretArn],
    });
  }
}
