// Synthesizes Yubin stacks once per test file, the way `cdk synth` does: cdk-nag's AwsSolutions pack
// and (optionally) the built-in CloudFormation schema validation run as policy-validation plugins.
// A failed validation is captured, not thrown, so the nag test can print the findings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { awsTableDesigns } from '../../../core/adapters/aws/table-design.js';
import { YubinStack, type YubinStackProps } from '../../../lib/yubin-stack.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DELIVERY_FIXTURE = path.join(PROJECT_ROOT, 'test/infra/fixtures/delivery-handler.ts');
const ACME_RENEWAL_FIXTURE = path.join(PROJECT_ROOT, 'test/infra/fixtures/acme-renewal-handler.ts');

export type StackVariant = Omit<YubinStackProps, 'tableDesigns' | 'projectRoot' | 'deliveryHandlerEntry' | 'acmeRenewalHandlerEntry'>;

export interface Synthesis {
  readonly templates: ReadonlyMap<string, Template>;
  /** The validation failure (cdk-nag or CloudFormation schema), '' when clean. */
  readonly validationFailure: string;
}

export function synthesize(stacks: Readonly<Record<string, StackVariant>>, options: { schemaValidation: boolean }): Synthesis {
  const outdir = mkdtempSync(path.join(tmpdir(), 'yubin-cdk-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: options.schemaValidation });
    for (const [id, variant] of Object.entries(stacks)) {
      new YubinStack(app, id, {
        ...variant,
        tableDesigns: awsTableDesigns,
        projectRoot: PROJECT_ROOT,
        deliveryHandlerEntry: DELIVERY_FIXTURE,
        acmeRenewalHandlerEntry: ACME_RENEWAL_FIXTURE,
      });
    }
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let validationFailure = '';
    try {
      app.synth();
    } catch (error) {
      validationFailure = (error as Error).message;
      try {
        validationFailure += `\n${readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')}`;
      } catch {
        // no report: the message is all there is
      }
    }
    const templates = new Map(
      Object.keys(stacks).map((id) => [
        id,
        Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, `${id}.template.json`), 'utf8')) as Record<string, unknown>),
      ]),
    );
    return { templates, validationFailure };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export type Resource = { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly [key: string]: unknown };

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of every inline policy attached to roles whose logical id starts with rolePrefix. */
export function statementsOfRole(template: Template, rolePrefix: string): PolicyStatement[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties?.Roles as { Ref: string }[] | undefined) ?? []).some((role) => role.Ref.startsWith(rolePrefix)),
    )
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
}

export function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}
