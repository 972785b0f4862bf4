// A loopback stand-in for the Secrets Manager JSON 1.1 API: GetSecretValue and PutSecretValue on the
// secrets it is given, with SigV4 credentials checked by key id. Enough for the TLS certificate source,
// the ACME renewal, the DKIM keys and the smarthost credentials; an unknown secret is
// ResourceNotFoundException, and a value over 64 KB ValidationException, as in AWS.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The only key id the stand-in accepts. */
export const STAND_IN_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } as const;

export interface SecretsManagerRequest {
  readonly target: string | undefined;
  readonly body: { readonly SecretId?: string; readonly SecretString?: string };
}

export interface SecretsManagerStandIn {
  readonly endpoint: string;
  /** A client signed with STAND_IN_CREDENTIALS, pointed at the stand-in. */
  readonly client: SecretsManagerClient;
  /** SecretString by SecretId; tests read and change it directly. */
  readonly secrets: Map<string, string>;
  readonly requests: SecretsManagerRequest[];
  close(): Promise<void>;
}

type Reply = readonly [status: number, body: object];

function answer(secrets: Map<string, string>, request: SecretsManagerRequest): Reply {
  const id = request.body.SecretId ?? '';
  const current = secrets.get(id);
  if (current === undefined) return [400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${id}` }];
  if (request.target === 'secretsmanager.GetSecretValue') return [200, { ARN: id, Name: id, SecretString: current }];
  if (request.target === 'secretsmanager.PutSecretValue' && typeof request.body.SecretString === 'string') {
    if (Buffer.byteLength(request.body.SecretString) > 65_536) return [400, { __type: 'ValidationException', message: 'secret too large' }];
    secrets.set(id, request.body.SecretString);
    return [200, { ARN: id, Name: id, VersionId: `v${secrets.size}-${Date.now()}` }];
  }
  return [400, { __type: 'InvalidRequestException', message: `unsupported: ${request.target}` }];
}

/** `credentials`: the pair whose key id is accepted (default STAND_IN_CREDENTIALS). */
export async function startSecretsManagerStandIn(
  secrets: Map<string, string>,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = STAND_IN_CREDENTIALS,
): Promise<SecretsManagerStandIn> {
  const requests: SecretsManagerRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = {
        target: req.headers['x-amz-target'] as string | undefined,
        body: JSON.parse(body) as SecretsManagerRequest['body'],
      };
      requests.push(request);
      const authorized = req.headers.authorization?.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/`) ?? false;
      const [status, reply] = authorized ? answer(secrets, request) : ([403, { __type: 'AccessDeniedException' }] as const);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SecretsManagerClient({ region: 'us-east-1', endpoint, credentials });
  return {
    endpoint,
    client,
    secrets,
    requests,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
