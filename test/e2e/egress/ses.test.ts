// SES egress against a local HTTP stand-in of the SESv2 API: the request must be a SigV4-signed
// SendEmail with the raw, DKIM-signed message; a MessageRejected answer bounces with a DSN.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../../core/log/logger.js';
import { startEgressWorker, type EgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
import {
  egressConfig,
  eventually,
  mailboxTexts,
  openEgressBed,
  submitOutbound,
  testMessage,
  type EgressBed,
} from './support/egress-fixture.js';

interface SesRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: { FromEmailAddress?: string; Destination?: { ToAddresses?: string[] }; Content?: { Raw?: { Data?: string } } };
}

let bed: EgressBed;
let ses: Server;
let worker: EgressWorker;
const requests: SesRequest[] = [];

before(async () => {
  bed = await openEgressBed();
  ses = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SesRequest['body'];
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      if (body.Destination?.ToAddresses?.includes('blocked@rejects.test')) {
        // The SESv2 REST-JSON error shape.
        response.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
        response.end(JSON.stringify({ message: 'Email address is not verified.' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `ses-${requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'ses', sesEndpoint: endpoint, sesRegion: 'eu-west-1' }),
    hostname: 'mail.sender.test',
    logger: silentLogger,
    transportDeps: { sesCredentials: { accessKeyId: 'AKIDEGRESSTEST', secretAccessKey: 'egress-test-secret' } },
  });
});
after(async () => {
  await worker.stop();
  await new Promise((resolve) => ses.close(resolve));
  await bed.close();
});

test('SES mode sends a SigV4-signed SendEmail with the raw signed message', async () => {
  const message = testMessage(['rita@gmail.test'], 'Through SES');
  await submitOutbound(bed.storage, message, ['rita@gmail.test', 'sam@yahoo.test']);
  const request = await eventually(
    async () => requests.find((candidate) => candidate.body.Destination?.ToAddresses?.includes('rita@gmail.test')),
    'the SES request',
  );
  assert.equal(request.method, 'POST');
  assert.equal(request.path, '/v2/email/outbound-emails');
  assert.match(String(request.headers['content-type']), /^application\/json/);
  assert.match(String(request.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
  assert.match(
    String(request.headers.authorization),
    /^AWS4-HMAC-SHA256 Credential=AKIDEGRESSTEST\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
  );
  assert.equal(request.body.FromEmailAddress, 'alice@sender.test');
  assert.deepEqual(request.body.Destination?.ToAddresses, ['rita@gmail.test', 'sam@yahoo.test'], 'Bcc recipients travel in the envelope');
  const raw = Buffer.from(request.body.Content?.Raw?.Data ?? '', 'base64').toString('utf8');
  assert.match(raw, /^DKIM-Signature: v=1; a=rsa-sha256;[^]*d=sender\.test;/);
  assert.ok(raw.endsWith(message));
});

test('an SES MessageRejected bounces to the sender with the reason', async () => {
  await submitOutbound(bed.storage, testMessage(['blocked@rejects.test'], 'Rejected by SES'), ['blocked@rejects.test']);
  const dsn = await eventually(
    async () => (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes('blocked@rejects.test')),
    'the DSN',
  );
  assert.match(dsn, /Action: failed/);
  assert.match(dsn, /Diagnostic-Code: smtp;554 5\.7\.1 SES MessageRejected: Email address is not verified\./);
  assert.match(dsn, /check the SPF and DKIM records/);
});

test('a REQUIRETLS message is bounced with 5.7.30 and never handed to SES (it cannot promise RFC 8689)', async () => {
  await submitOutbound(bed.storage, testMessage(['tess@secure.test'], 'Sealed'), ['tess@secure.test'], { requireTls: true });
  const dsn = await eventually(
    async () => (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes('Final-Recipient: rfc822;tess@secure.test')),
    'the DSN',
  );
  assert.match(dsn, /^Status: 5\.7\.30$/mu);
  assert.match(dsn, /550 5\.7\.30 REQUIRETLS support required: the SES egress cannot guarantee it/u);
  assert.equal(requests.filter((request) => request.body.Destination?.ToAddresses?.includes('tess@secure.test')).length, 0);
});
