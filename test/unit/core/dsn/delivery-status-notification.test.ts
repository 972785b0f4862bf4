import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildDeliveryStatusNotification } from '../../../../core/dsn/delivery-status-notification.js';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const original = 'From: <alice@example.test>\r\nTo: <bob@example.test>\r\nSubject: Quarterly figures\r\n\r\nThe body text.\r\n';

test('a quota bounce is an RFC 3464 multipart/report with all three parts and the original returned in full', async () => {
  const dsn = buildDeliveryStatusNotification(
    {
      reportingMta: 'mx.example.test',
      to: 'alice@example.test',
      originalEnvelopeId: 'ENV-42',
      arrivalDate: new Date('2026-11-30T10:00:00Z'),
      originalSubject: 'Quarterly figures',
      recipients: [
        {
          finalRecipient: 'bob@example.test',
          originalRecipient: 'rfc822;Bob@example.test',
          action: 'failed',
          status: '5.2.2',
          diagnosticCode: '552 5.2.2 Mailbox full',
        },
      ],
    },
    { kind: 'full', message: Readable.from([Buffer.from(original)]) },
  );
  const raw = await collect(dsn.content);
  assert.match(raw, /^Content-Type: multipart\/report; report-type=delivery-status; boundary="dsn-[0-9a-f]+"\r$/m);
  assert.match(raw, /^Auto-Submitted: auto-replied\r$/m);
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, 'Undelivered mail returned to sender');
  assert.match(parsed.text ?? '', /mailbox is full/);
  assert.match(parsed.text ?? '', /bob@example\.test: failed/);
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1] ?? '';
  const parts = raw.split(`--${boundary}`).slice(1, -1);
  assert.deepEqual(
    parts.map((part) => /Content-Type: ([^;\r]+)/.exec(part)?.[1]),
    ['text/plain', 'message/delivery-status', 'message/rfc822'],
    'RFC 3464 §2: human-readable, machine-readable, returned message, in that order',
  );
  const fields = parts[1]!.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  assert.match(
    fields,
    /^Reporting-MTA: dns;mx\.example\.test\r\nOriginal-Envelope-Id: ENV-42\r\nArrival-Date: Mon, 30 Nov 2026 10:00:00 \+0000\r\n\r\n/,
  );
  assert.match(
    fields,
    /Original-Recipient: rfc822;Bob@example\.test\r\nFinal-Recipient: rfc822;bob@example\.test\r\nAction: failed\r\nStatus: 5\.2\.2\r\nDiagnostic-Code: smtp;552 5\.2\.2 Mailbox full\r\n/,
  );
  const returned = parsed.attachments.find((part) => part.contentType === 'message/rfc822');
  assert.ok(returned, 'returns the original message');
  assert.match(returned.content.toString('utf8'), /Subject: Quarterly figures\r\n\r\nThe body text\./);
});

test('RET=HDRS returns only the header as text/rfc822-headers; a delay report names the retry horizon', async () => {
  const dsn = buildDeliveryStatusNotification(
    {
      reportingMta: 'mx.example.test',
      to: 'alice@example.test',
      recipients: [
        {
          finalRecipient: 'carol@remote.test',
          action: 'delayed',
          status: '4.4.1',
          remoteMta: 'mx.remote.test',
          diagnosticCode: '421 4.4.1 try\r\nlater',
          willRetryUntil: new Date('2026-12-05T00:00:00Z'),
        },
      ],
    },
    { kind: 'headers', header: 'Subject: Quarterly figures\r\n' },
  );
  const raw = await collect(dsn.content);
  assert.equal(dsn.subject, 'Delayed mail (still being retried)');
  assert.match(raw, /Content-Type: text\/rfc822-headers\r\n\r\nSubject: Quarterly figures\r\n/);
  assert.doesNotMatch(raw, /The body text/);
  assert.match(
    raw,
    /Remote-MTA: dns;mx\.remote\.test\r\nDiagnostic-Code: smtp;421 4\.4\.1 try later\r\n/,
    'a diagnostic never breaks the field onto two lines',
  );
  assert.match(raw, /Will-Retry-Until: Sat, 05 Dec 2026 00:00:00 \+0000/);
  assert.match(raw, /--dsn-[0-9a-f]+--\r\n$/);
});

test('an internationalised recipient is typed utf-8 (RFC 6533) and a report needs recipients', async () => {
  const dsn = buildDeliveryStatusNotification(
    {
      reportingMta: 'mx.example.test',
      to: 'a@example.test',
      recipients: [{ finalRecipient: 'jörg@example.test', action: 'failed', status: '5.1.1' }],
    },
    { kind: 'none' },
  );
  assert.match(await collect(dsn.content), /Final-Recipient: utf-8;jörg@example\.test/);
  assert.throws(() => buildDeliveryStatusNotification({ reportingMta: 'mx', to: 'a@b', recipients: [] }, { kind: 'none' }));
});
