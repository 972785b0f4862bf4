// A loopback stand-in for the CloudFormation query API, DescribeStacks only: the form-encoded POST the
// AWS SDK sends (awsQuery protocol, Version 2010-05-15) in, XML shaped like AWS's out, including the
// ValidationError AWS returns for a stack that does not exist. Signatures are not checked.
import http from 'node:http';
import { once } from 'node:events';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface CloudFormationStandIn {
  /** Endpoint URL for the SDK (YUBIN_CLOUDFORMATION_ENDPOINT). */
  readonly endpoint: string;
  /** Stack name → its outputs; add or change stacks at any time. */
  readonly stacks: Map<string, Readonly<Record<string, string>>>;
  /** Every Action the stand-in was asked for, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const escapeXml = (value: string): string =>
  value.replace(/[<>&'"]/gu, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);

function describeStacksXml(name: string, outputs: Readonly<Record<string, string>>): string {
  const members = Object.entries(outputs)
    .map(([key, value]) => `<member><OutputKey>${escapeXml(key)}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`)
    .join('');
  return [
    `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks><member>`,
    `<StackName>${escapeXml(name)}</StackName>`,
    `<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${escapeXml(name)}/00000000-0000-0000-0000-000000000000</StackId>`,
    '<CreationTime>2026-11-30T12:00:00.000Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>',
    `<Outputs>${members}</Outputs>`,
    '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeStacksResponse>',
  ].join('');
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
}

export async function startCloudFormationStandIn(): Promise<CloudFormationStandIn> {
  const stacks = new Map<string, Readonly<Record<string, string>>>();
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      requests.push(action);
      const reply = (status: number, xml: string) => {
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'stand-in' });
        response.end(xml);
      };
      if (request.method !== 'POST' || action !== 'DescribeStacks' || form.get('Version') !== '2010-05-15')
        return reply(400, errorXml('InvalidAction', `the stand-in answers DescribeStacks only, not ${JSON.stringify(action)}`));
      const name = form.get('StackName') ?? '';
      const outputs = stacks.get(name);
      if (outputs === undefined) return reply(400, errorXml('ValidationError', `Stack with id ${name} does not exist`));
      reply(200, describeStacksXml(name, outputs));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stacks,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
