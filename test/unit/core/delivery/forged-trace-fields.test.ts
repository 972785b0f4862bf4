import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutForgedAuthenticationResults } from '../../../../core/delivery/forged-trace-fields.js';

async function run(message: string, chunkSize: number): Promise<string> {
  const bytes = Buffer.from(message, 'latin1');
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) => bytes.subarray(i * chunkSize, (i + 1) * chunkSize));
  const out: Buffer[] = [];
  for await (const chunk of withoutForgedAuthenticationResults(
    (async function* () {
      yield* chunks;
    })(),
    'mx.example.test',
  ))
    out.push(Buffer.from(chunk));
  return Buffer.concat(out).toString('latin1');
}

const message =
  'Authentication-Results: MX.example.test;\r\n dkim=pass header.i=@bank.example\r\n' +
  'Authentication-Results: (comment) mx.example.test; spf=pass\r\n' +
  'Authentication-Results: mx.other.example; dkim=fail\r\n' +
  'Subject: caf\xe9\r\n\r\nAuthentication-Results: mx.example.test; in the body stays\r\n';

test('RFC 8601 §5: fields claiming our authserv-id are renamed, others and the body are untouched, at any chunking', async () => {
  for (const chunkSize of [1, 7, 64, 4096]) {
    const out = await run(message, chunkSize);
    assert.equal(
      out,
      'X-Forged-Authentication-Results: MX.example.test;\r\n dkim=pass header.i=@bank.example\r\n' +
        'X-Forged-Authentication-Results: (comment) mx.example.test; spf=pass\r\n' +
        'Authentication-Results: mx.other.example; dkim=fail\r\n' +
        'Subject: caf\xe9\r\n\r\nAuthentication-Results: mx.example.test; in the body stays\r\n',
      `chunk size ${chunkSize}`,
    );
  }
});

test('a message that is all header is still rewritten', async () => {
  assert.equal(
    await run('Authentication-Results: mx.example.test; dkim=pass\r\n', 5),
    'X-Forged-Authentication-Results: mx.example.test; dkim=pass\r\n',
  );
});
