// Behind the AWS NLB every connection starts with a PROXY v2 header: the client IP (for throttling
// and per-IP limits) must come from it, on both ports, and a listener that expects it refuses
// connections without one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROXY_V2_SIGNATURE } from '../../../core/net/proxy-protocol.js';
import { PASSWORD, withServer } from './pop3-harness.js';
import { LineClient } from '../../support/line-client.js';

function proxyHeader(sourceIp: string): Buffer {
  const addresses = Buffer.alloc(12);
  sourceIp.split('.').forEach((octet, i) => addresses.writeUInt8(Number(octet), i));
  [10, 0, 0, 1].forEach((octet, i) => addresses.writeUInt8(octet, 4 + i));
  addresses.writeUInt16BE(50_000, 8);
  addresses.writeUInt16BE(995, 10);
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 12]), addresses]);
}
const LOCAL_HEADER = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);

test('the client IP comes from the PROXY header: failed logins throttle that address only', () =>
  withServer(
    async (server) => {
      const login = async (sourceIp: string, password: string) => {
        const client = await LineClient.connect(server.service.ports.pop3s, { implicitTls: true, firstBytes: proxyHeader(sourceIp) });
        assert.match(await client.line(), /^\+OK/);
        await client.command(`USER ${server.address}`);
        const reply = await client.command(`PASS ${password}`);
        client.close();
        return reply;
      };
      assert.match(await login('203.0.113.7', 'wrong'), /^-ERR \[AUTH\]/);
      assert.match(await login('203.0.113.7', PASSWORD), /^-ERR \[SYS\/TEMP\]/, 'that address is now throttled');
      assert.match(await login('198.51.100.9', PASSWORD), /^\+OK Logged in/, 'another address is not');
    },
    { proxyProtocol: true, throttle: { maxFailuresPerIp: 1, maxFailuresPerUser: 100, windowMs: 60_000 } },
  ));

test('a header and a command in one segment, a LOCAL health check, and a client without a header', () =>
  withServer(
    async (server) => {
      const coalesced = await LineClient.connect(server.service.ports.pop3, { firstBytes: Buffer.concat([proxyHeader('192.0.2.5'), Buffer.from('CAPA\r\n')]) });
      assert.match(await coalesced.line(), /^\+OK pop\.example\.test/);
      assert.equal(await coalesced.line(), '+OK Capability list follows');
      coalesced.close();

      const health = await LineClient.connect(server.service.ports.pop3, { firstBytes: LOCAL_HEADER });
      assert.match(await health.line(), /^\+OK/);
      health.close();

      const direct = await LineClient.connect(server.service.ports.pop3, { firstBytes: Buffer.from('CAPA\r\n') });
      await direct.closedByServer();
      assert.equal(direct.remaining, '', 'no greeting without a valid header');
    },
    { proxyProtocol: true },
  ));
