// One CloudFormation DescribeStacks call: the outputs of a deployed stack, as key → value. Used by the
// `yubin` CLI to find the resources of a deployment (core/config/stack-outputs.ts); needs only
// cloudformation:DescribeStacks on that stack.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export interface StackOutputsQuery {
  readonly region: string;
  readonly stackName: string;
  /** Override endpoint (tests: a loopback stand-in for the CloudFormation query API). */
  readonly endpoint?: string;
}

/** A stack that does not exist in the region (or is not visible to these credentials). */
export class StackNotFoundError extends Error {
  override readonly name = 'StackNotFoundError';
}

export async function readStackOutputs(query: StackOutputsQuery): Promise<Record<string, string>> {
  const client = new CloudFormationClient({ region: query.region, ...(query.endpoint ? { endpoint: query.endpoint } : {}) });
  try {
    const { Stacks: stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: query.stackName }));
    const [stack] = stacks;
    if (stack === undefined) throw new StackNotFoundError(`stack ${query.stackName} not found in ${query.region}`);
    return Object.fromEntries(
      (stack.Outputs ?? []).flatMap((output) => (output.OutputKey ? [[output.OutputKey, output.OutputValue ?? '']] : [])),
    );
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id NAME does not exist".
    if ((error as Error).name === 'ValidationError' && /does not exist/u.test((error as Error).message))
      throw new StackNotFoundError(`stack ${query.stackName} not found in ${query.region}`, { cause: error });
    throw error;
  } finally {
    client.destroy();
  }
}
