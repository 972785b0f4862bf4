// The documented context keys of the CDK app (`-c key=value` or cdk.json "context"), validated
// into stack props. Unknown egress modes, bad numbers and a missing domain fail synthesis early.
import type { AcmeDirectory } from './constructs/acme-renewal.js';
import { DEFAULT_STACK_NAME, MTA_STS_MODES, type MtaStsMode } from '../core/config/index.js';
import { isEgressMode, type EgressMode } from './constructs/egress.js';

export interface YubinContext {
  readonly stackName: string;
  readonly stackProps: {
    readonly domain: string;
    readonly mailHost?: string;
    readonly egress: EgressMode;
    readonly mtaStsMode: MtaStsMode;
    readonly hostedZoneId?: string;
    readonly availabilityZones?: readonly string[];
    readonly tlsCertificateSecretArn?: string;
    readonly alarmEmail?: string;
    readonly minTasks?: number;
    readonly tableDeletionProtection?: boolean;
    readonly smtpPolicy?: { readonly dnsblZones: readonly string[] };
    readonly acme?: { readonly email: string; readonly directory: AcmeDirectory };
  };
}

/** Every key, with what it does (also in docs/deploy.md). */
export const CONTEXT_KEYS = {
  domain: 'mail domain, required (example.com)',
  mailHost: 'server host name; default mail.<domain>',
  egress: 'ses (default) | direct | smarthost',
  mtaStsMode: 'MTA-STS policy mode: enforce (default) | testing | none (RFC 8461 §5)',
  hostedZoneId: 'Route 53 public zone of the domain; when set, the stack writes the DNS records',
  availabilityZones: 'comma-separated zones to pin (e.g. eu-west-1a,eu-west-1b); default: the first two',
  certificateSecretArn: 'existing Secrets Manager secret with {"keyPem","certPem"}; default: create one',
  alarmEmail: 'address subscribed to the alarm topic',
  minTasks: 'minimum tasks per service; default 1 (2 = one per zone)',
  tableDeletionProtection: 'true (default) | false',
  dnsblZones: 'comma-separated DNS blocklists checked at connect (e.g. zen.spamhaus.org); default none',
  acmeEmail: 'ACME account contact; when set (with hostedZoneId), a daily function renews the certificate from Let’s Encrypt',
  acmeDirectory: 'staging (default: untrusted test certificates) | production',
  stackName: 'default Yubin',
} as const;

type ContextReader = (key: keyof typeof CONTEXT_KEYS) => unknown;

function optionalString(read: ContextReader, key: keyof typeof CONTEXT_KEYS): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string (${CONTEXT_KEYS[key]})`);
  return value;
}

// RFC 1035 §2.3.1 labels, at least two of them.
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function readYubinContext(read: ContextReader): YubinContext {
  const domain = optionalString(read, 'domain');
  if (domain === undefined) throw new Error('context domain is required: npx cdk deploy -c domain=example.com');
  if (!DOMAIN.test(domain)) throw new Error(`context domain ${JSON.stringify(domain)} is not a domain name`);
  const egress = optionalString(read, 'egress') ?? 'ses';
  if (!isEgressMode(egress)) throw new Error(`context egress must be ses, direct or smarthost, got ${JSON.stringify(egress)}`);
  const mtaStsMode = optionalString(read, 'mtaStsMode') ?? 'enforce';
  if (!MTA_STS_MODES.includes(mtaStsMode as MtaStsMode))
    throw new Error(`context mtaStsMode must be one of ${MTA_STS_MODES.join(', ')}, got ${JSON.stringify(mtaStsMode)}`);
  const zones = optionalString(read, 'availabilityZones')
    ?.split(',')
    .map((zone) => zone.trim())
    .filter((zone) => zone !== '');
  const minTasksText = read('minTasks');
  const minTasks = minTasksText === undefined ? undefined : Number(minTasksText);
  if (minTasks !== undefined && !(Number.isInteger(minTasks) && minTasks >= 1))
    throw new Error('context minTasks must be a whole number ≥ 1');
  const protection = read('tableDeletionProtection');
  if (protection !== undefined && ![true, false, 'true', 'false'].includes(protection as string | boolean)) {
    throw new Error('context tableDeletionProtection must be true or false');
  }
  const mailHost = optionalString(read, 'mailHost');
  const hostedZoneId = optionalString(read, 'hostedZoneId');
  const certificate = optionalString(read, 'certificateSecretArn');
  const alarmEmail = optionalString(read, 'alarmEmail');
  const dnsblZones = optionalString(read, 'dnsblZones')
    ?.split(',')
    .map((zone) => zone.trim())
    .filter((zone) => zone !== '');
  const acmeEmail = optionalString(read, 'acmeEmail');
  const acmeDirectory = optionalString(read, 'acmeDirectory') ?? 'staging';
  if (acmeDirectory !== 'staging' && acmeDirectory !== 'production') {
    throw new Error(`context acmeDirectory must be staging or production, got ${JSON.stringify(acmeDirectory)}`);
  }
  // DNS-01 needs a zone the function can write (RFC 8555 §8.4).
  if (acmeEmail !== undefined && hostedZoneId === undefined)
    throw new Error('context acmeEmail needs hostedZoneId: DNS-01 writes TXT records there');
  return {
    stackName: optionalString(read, 'stackName') ?? DEFAULT_STACK_NAME,
    stackProps: {
      domain: domain.toLowerCase(),
      egress,
      mtaStsMode: mtaStsMode as MtaStsMode,
      ...(mailHost === undefined ? {} : { mailHost }),
      ...(hostedZoneId === undefined ? {} : { hostedZoneId }),
      ...(zones === undefined || zones.length === 0 ? {} : { availabilityZones: zones }),
      ...(certificate === undefined ? {} : { tlsCertificateSecretArn: certificate }),
      ...(alarmEmail === undefined ? {} : { alarmEmail }),
      ...(minTasks === undefined ? {} : { minTasks }),
      ...(protection === undefined ? {} : { tableDeletionProtection: protection === true || protection === 'true' }),
      ...(dnsblZones === undefined || dnsblZones.length === 0 ? {} : { smtpPolicy: { dnsblZones } }),
      ...(acmeEmail === undefined ? {} : { acme: { email: acmeEmail, directory: acmeDirectory } }),
    },
  };
}
