// Pure helpers of the CLI: sizes, the accounts CSV, TXT splitting, Maildir flags, CRLF conversion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from '../../../../core/cli/cli-context.js';
import { toCrlf } from '../../../../core/cli/import/import-source.js';
import { flagsFromFileName } from '../../../../core/cli/import/maildir-source.js';
import { parseAccountsCsv } from '../../../../core/cli/import/users-csv.js';
import { formatSize, parseSize } from '../../../../core/cli/sizes.js';
import { splitTxt } from '../../../../core/cli/dns/zone-format.js';

test('sizes: binary units, none, and clear errors', () => {
  assert.equal(parseSize('10G'), 10 * 1024 ** 3);
  assert.equal(parseSize('500M'), 500 * 1024 ** 2);
  assert.equal(parseSize('1.5k'), 1536);
  assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseSize('none'), null);
  assert.throws(() => parseSize('ten gigs'), CliError);
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatSize(1536), '1.5 KiB');
  assert.equal(formatSize(10 * 1024 ** 3), '10 GiB');
});

test('accounts CSV: header, quoting with commas and quotes, optional source login', () => {
  const accounts = parseAccountsCsv('address,password\r\na@x.test,"pa,ss""word"\nb@x.test,plain,b-login\n\n');
  assert.deepEqual(accounts, [
    { address: 'a@x.test', password: 'pa,ss"word', sourceLogin: 'a@x.test' },
    { address: 'b@x.test', password: 'plain', sourceLogin: 'b-login' },
  ]);
  assert.throws(() => parseAccountsCsv('only-an-address@x.test\n'), /CSV line 1/u);
  assert.throws(() => parseAccountsCsv('a@x.test,"unterminated\n'), /quoted field/u);
});

test('TXT strings are split at 255 octets, not characters', () => {
  const text = 'é'.repeat(200);
  const parts = splitTxt(text);
  assert.ok(parts.every((part) => Buffer.byteLength(part) <= 255));
  assert.equal(parts.join(''), text);
  assert.equal(parts.length, 2);
});

test('Maildir info flags and keyword letters', () => {
  const keywords = new Map([['a', '$Important']]);
  assert.deepEqual(flagsFromFileName('123.M1.host:2,DFPRSTa', keywords), [
    '\\Draft',
    '\\Flagged',
    '$Forwarded',
    '\\Answered',
    '\\Seen',
    '\\Deleted',
    '$Important',
  ]);
  assert.deepEqual(flagsFromFileName('123.M1.host', keywords), []);
});

test('CRLF conversion leaves existing CRLF and lone CR alone', () => {
  assert.equal(toCrlf(Buffer.from('a\nb\r\nc\rd\n')).toString(), 'a\r\nb\r\nc\rd\r\n');
  const already = Buffer.from('x\r\n');
  assert.equal(toCrlf(already), already);
});
