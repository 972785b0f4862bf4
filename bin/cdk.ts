// CDK app entry (`npx cdk synth|deploy -c domain=example.com`): reads the documented context keys
// (cdk.json, docs/deploy.md) and builds one env-agnostic stack, so synthesis needs no credentials.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import { readYubinContext } from '../lib/context.js';
import { YubinStack } from '../lib/yubin-stack.js';
import { awsTableDesigns } from '../core/adapters/aws/table-design.js';

const app = new App();
const context = readYubinContext((key) => app.node.tryGetContext(key) as unknown);
new YubinStack(app, context.stackName, {
  ...context.stackProps,
  tableDesigns: awsTableDesigns,
  projectRoot: fileURLToPath(new URL('..', import.meta.url)),
  description: `Yubin mail platform for ${context.stackProps.domain}`,
});
// cdk-nag's AwsSolutions pack runs as a policy-validation plugin: any unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
