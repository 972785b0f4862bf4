import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProxyV2, PROXY_V2_SIGNATURE } from '../../../../core/net/proxy-protocol.js';

const header = (verCmd: number, family: number, payload: Buffer) => Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([verCmd, family, payload.length >> 8, payload.length & 255]), payload]);

test('TCP over IPv4 with a TLV after the addresses (as the NLB sends)', () => {
  const tlv = Buffer.from([0xea, 0x00, 0x03, 0x01, 0x02, 0x03]);
  const input = Buffer.concat([header(0x21, 0x11, Buffer.concat([Buffer.from([198, 51, 100, 9, 10, 0, 0, 1, 0x30, 0x39, 0, 25]), tlv])), Buffer.from('EHLO')]);
  assert.deepEqual(parseProxyV2(input), { kind: 'proxy', consumed: input.length - 4, source: { ip: '198.51.100.9', port: 12345 }, destination: { ip: '10.0.0.1', port: 25 } });
});

test('TCP over IPv6, compressed as RFC 5952 says', () => {
  const source = Buffer.from('20010db8000000000000000000000001', 'hex');
  const destination = Buffer.from('fd000000000000010000000000000000', 'hex');
  const result = parseProxyV2(header(0x21, 0x21, Buffer.concat([source, destination, Buffer.from([0, 80, 0, 25])])));
  assert.equal(result.kind, 'proxy');
  assert.ok(result.kind === 'proxy');
  assert.equal(result.source.ip, '2001:db8::1');
  assert.equal(result.destination.ip, 'fd00:0:0:1::');
});

test('LOCAL (health check) and UNSPEC carry no address', () => {
  assert.deepEqual(parseProxyV2(header(0x20, 0x00, Buffer.alloc(0))), { kind: 'local', consumed: 16 });
  assert.deepEqual(parseProxyV2(header(0x21, 0x00, Buffer.alloc(0))), { kind: 'unspecified', consumed: 16 });
});

test('byte-at-a-time arrival is incomplete until the last byte', () => {
  const full = header(0x21, 0x11, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2]));
  for (let n = 1; n < full.length; n++) assert.equal(parseProxyV2(full.subarray(0, n)).kind, 'incomplete', `after ${n} bytes`);
  assert.equal(parseProxyV2(full).kind, 'proxy');
});

test('malformed headers are invalid, never guessed at', () => {
  assert.equal(parseProxyV2(Buffer.from('EHLO x\r\n')).kind, 'invalid');
  assert.equal(parseProxyV2(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n')).kind, 'invalid', 'v1 is not accepted');
  assert.equal(parseProxyV2(header(0x11, 0x11, Buffer.alloc(12))).kind, 'invalid', 'version 1 in a v2 frame');
  assert.equal(parseProxyV2(header(0x22, 0x11, Buffer.alloc(12))).kind, 'invalid', 'unknown command');
  assert.equal(parseProxyV2(header(0x21, 0x11, Buffer.alloc(4))).kind, 'invalid', 'address block too short');
  assert.equal(parseProxyV2(header(0x21, 0x12, Buffer.alloc(12))).kind, 'invalid', 'UDP');
  assert.equal(parseProxyV2(header(0x21, 0x11, Buffer.alloc(2000))).kind, 'invalid', 'oversized');
});
