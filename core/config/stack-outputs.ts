// The CloudFormation outputs that name a deployment's resources (lib/yubin-stack.ts declares them under
// these keys), and how they fill in what the environment left unset: the `yubin` CLI on an admin's
// machine finds its tables, bucket and queues from the stack name alone. Variables still win.
import { MTA_STS_MODES, type MtaStsMode, type StackSetting, type YubinConfig } from './index.js';

/** Output key of each setting: stable, export-free (two stacks in one account never clash). */
export const STACK_OUTPUT_KEYS: Readonly<Record<StackSetting, string>> = {
  tablePrefix: 'TablePrefix',
  bucket: 'MessageBucket',
  inboundQueueUrl: 'InboundQueueUrl',
  outboundQueueUrl: 'OutboundQueueUrl',
  hostname: 'MailHost',
  mtaStsMode: 'MtaStsMode',
  dkimSecretArn: 'DkimKeysSecret',
};

/** What storage cannot open without: when the environment names all of them, no stack lookup is needed. */
const STORAGE_SETTINGS: readonly StackSetting[] = ['tablePrefix', 'bucket', 'inboundQueueUrl', 'outboundQueueUrl'];

export function needsStackOutputs(config: YubinConfig): boolean {
  return config.backend === 'aws' && STORAGE_SETTINGS.some((setting) => config.unsetStackSettings.includes(setting));
}

/** The config with every unset StackSetting taken from the outputs; a storage name the stack lacks is an error. */
export function withStackOutputs(config: YubinConfig, outputs: Readonly<Record<string, string>>): YubinConfig {
  const found = (setting: StackSetting): string | undefined =>
    config.unsetStackSettings.includes(setting) ? outputs[STACK_OUTPUT_KEYS[setting]] : undefined;
  for (const setting of STORAGE_SETTINGS) {
    if (config.unsetStackSettings.includes(setting) && !found(setting))
      throw new Error(
        `stack ${config.stack.name} has no output ${STACK_OUTPUT_KEYS[setting]}: update the stack, or set it in the environment`,
      );
  }
  const mode = found('mtaStsMode');
  if (mode !== undefined && !MTA_STS_MODES.includes(mode as MtaStsMode))
    throw new Error(`stack ${config.stack.name} output MtaStsMode is ${JSON.stringify(mode)}, not one of ${MTA_STS_MODES.join(', ')}`);
  const aws = config.aws;
  return {
    ...config,
    hostname: found('hostname') ?? config.hostname,
    mtaStsMode: (mode as MtaStsMode | undefined) ?? config.mtaStsMode,
    aws: {
      ...aws,
      tablePrefix: found('tablePrefix') ?? aws.tablePrefix,
      bucket: found('bucket') ?? aws.bucket,
      inboundQueueUrl: found('inboundQueueUrl') ?? aws.inboundQueueUrl,
      outboundQueueUrl: found('outboundQueueUrl') ?? aws.outboundQueueUrl,
      dkimSecretArn: found('dkimSecretArn') ?? aws.dkimSecretArn,
    },
  };
}
