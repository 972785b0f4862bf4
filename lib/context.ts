// The documented context keys of the CDK app (`-c key=value` or cdk.json "context"), validated
// into stack props. Unknown egress modes, bad numbers and a missing domain fail synthesis early.
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
    },
  };
}
